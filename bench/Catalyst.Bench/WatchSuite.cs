using System.Diagnostics;

namespace Catalyst.Bench;

/// <summary>
/// How many deployments one host keeps watching at the 10 s poll interval: N provisions whose releases never finish,
/// then, over a measuring window, each cluster's list rate at the fake Kubernetes API (≈ 0.1/s means on time), and
/// GET latency under 50 clients meanwhile (target: 200 in the watch, GET p99 &lt; 100 ms, no errors).
/// </summary>
public static class WatchSuite
{
    public static async Task RunAsync(Report report, int n, TimeSpan window)
    {
        await using var world = await BenchWorld.StartAsync();
        world.Cloud.Kubernetes.NeverReady(ReadsSuite.Kit);
        world.Settings["CATALYST_PHASE1_WATCH_CHECK_IN"] = "10s";
        await world.StartAppAsync();
        var clock = Stopwatch.StartNew();
        var ids = new List<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 10 }, async (i, _) =>
        {
            var id = await world.CreateAsync($"watch-{i}-{Guid.NewGuid().ToString("N")[..4]}");
            lock (ids) ids.Add(id);
        });
        var clusters = world.Cloud.Kubernetes.Clusters;
        while (clusters.Count < n && clock.Elapsed < TimeSpan.FromMinutes(20))
        {
            Console.Write($"\r{clusters.Count}/{n} in the watch after {clock.Elapsed.TotalSeconds:0} s   ");
            await Task.Delay(1000);
        }
        Console.WriteLine();
        var inWatch = clocked(clock);
        report.Line($"### N = {n}");
        report.Line();
        report.Line($"- {clusters.Count}/{n} deployments reached the watch in {inWatch:0} s");

        var before = clusters.ToDictionary(c => c.Key, c => c.Value.Lists);
        var cpuBefore = Measure.CpuSeconds(world.App!.Id);
        var windowClock = Stopwatch.StartNew();
        var reads = await Load.RunAsync("GET /api/v1/deployments/{id}", world.Http.BaseAddress!, i => $"/api/v1/deployments/{ids[i % ids.Count]}", 50, window);
        var seconds = windowClock.Elapsed.TotalSeconds;
        var cpu = Measure.CpuSeconds(world.App.Id).Self - cpuBefore.Self;
        var rates = clusters.Where(c => before.ContainsKey(c.Key)).Select(c => (c.Value.Lists - before[c.Key]) / seconds * 10).ToList();
        report.Line($"- over {seconds:0} s: lists per cluster per 10 s p50 {Measure.Percentile(rates, 50):0.00}, min {rates.DefaultIfEmpty(double.NaN).Min():0.00}, max {rates.DefaultIfEmpty(double.NaN).Max():0.00} (1.00 = on time)");
        report.Line($"- meanwhile, 50 clients: {reads}");
        report.Line($"- app CPU in the window {cpu / seconds * 100:0}% of one core; peak RSS {Measure.PeakRssMb(world.App.Id):0} MiB");
        report.Line();
    }

    static double clocked(Stopwatch clock) => clock.Elapsed.TotalSeconds;
}
