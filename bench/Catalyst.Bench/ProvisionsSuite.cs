using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Catalyst.Bench;

/// <summary>
/// (b) N pool provisions at once, end to end through the API, against the same number of bare orchestrations with as
/// many activity steps (the baseline); (c) postback → watch start: the fake cloud-init's kubeconfig PUT to the first
/// HelmRelease list the fake Kubernetes API serves for that deployment.
/// </summary>
public static class ProvisionsSuite
{
    // ClaimSubdomain, tofu-start, TofuApply, CommitSubdomain, dns-publish, PublishDns, dns-published, phase0-complete,
    // kubeconfig-wait, BeginWatch (with kubeconfig-received), EndWatch, ready, MintHandover: a provision whose releases
    // are ready at the first listing (the watch records its transitions outside the workflow).
    public const int ActivitySteps = 13;

    public static async Task RunAsync(Report report, int n, TimeSpan timeout)
    {
        await using var world = await BenchWorld.StartAsync();
        world.Cloud.Kubernetes.Installing(ReadsSuite.Kit, TimeSpan.Zero);
        await world.StartAppAsync();
        var pid = world.App!.Id;
        var cpuBefore = Measure.CpuSeconds(pid);

        var clock = Stopwatch.StartNew();
        var ids = new List<string>();
        var gate = new SemaphoreSlim(10);
        await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
        {
            await gate.WaitAsync();
            try { var id = await world.CreateAsync($"bench-{i}-{Guid.NewGuid().ToString("N")[..4]}"); lock (ids)
                ids.Add(id); }
            finally { gate.Release(); }
        }));
        var posted = clock.Elapsed;
        var done = await world.WaitAllDoneAsync(ids, timeout,
            d => Console.Write($"\r{d}/{n} done after {clock.Elapsed.TotalSeconds:0} s   "));
        var wall = clock.Elapsed;
        Console.WriteLine();
        var cpuAfter = Measure.CpuSeconds(pid);
        var rss = Measure.PeakRssMb(pid);

        var finished = done.Values.Where(d => d["finishedAt"] is not null).ToList();
        var e2e = finished.Select(d =>
            (d["finishedAt"]!.GetValue<DateTime>() - d["startedAt"]!.GetValue<DateTime>()).TotalSeconds).ToList();
        var ready = done.Values.Count(d => BenchWorld.StatusOf(d) == "ready");
        var failed = done.Values.Count(d => BenchWorld.StatusOf(d) == "failed");
        report.Line($"### N = {n}");
        report.Line();
        report.Line(
            $"- {ready} ready, {failed} failed, {n - ready - failed} unfinished after {wall.TotalSeconds:0.0} s " +
            $"(timeout {timeout.TotalMinutes:0} min); all POSTs answered after {posted.TotalSeconds:0.0} s");
        report.Line($"- wall time {wall.TotalSeconds:0.0} s → {ready / wall.TotalSeconds * 60:0.0} provisions/min");
        report.Line(
            $"- per provision end to end (record startedAt → finishedAt): p50 {Measure.Percentile(e2e, 50):0.0} s, " +
            $"p95 {Measure.Percentile(e2e, 95):0.0} s, max {e2e.DefaultIfEmpty(double.NaN).Max():0.0} s");
        report.Line(
            $"- app process: {cpuAfter.Self - cpuBefore.Self:0.0} CPU s " +
            $"({(cpuAfter.Self - cpuBefore.Self) / Math.Max(1, ready):0.00} per provision), " +
            $"its tofu children {cpuAfter.Children - cpuBefore.Children:0.0} CPU s, peak RSS {rss:0} MiB");

        var latency = PostbackLatencies(world);
        report.Line(
            $"- postback → watch start, postback during the apply (as the fake tofu plays it: " +
            $"the PUT lands before the DNS step, so this includes the rest of Phase 0), {latency.Count} samples: " +
            $"p50 {Measure.Ms(Measure.Percentile(latency, 50))} ms, " +
            $"p95 {Measure.Ms(Measure.Percentile(latency, 95))} ms");

        var (waiting, firstState) = await PostbackWhileWaitingAsync(world, Math.Min(n, 50), timeout);
        report.Line(
            $"- **postback → watch start**, postback while the workflow waits for it (as on a real cluster, " +
            $"where cloud-init takes minutes), {waiting.Count} samples: " +
            $"p50 {Measure.Ms(Measure.Percentile(waiting, 50))} ms, " +
            $"p95 {Measure.Ms(Measure.Percentile(waiting, 95))} ms, " +
            $"max {Measure.Ms(waiting.DefaultIfEmpty(double.NaN).Max())} ms");
        report.Line(
            $"- **postback → first component state** on the timeline (the same postbacks), {firstState.Count} " +
            $"samples: p50 {Measure.Ms(Measure.Percentile(firstState, 50))} ms, " +
            $"p95 {Measure.Ms(Measure.Percentile(firstState, 95))} ms, " +
            $"max {Measure.Ms(firstState.DefaultIfEmpty(double.NaN).Max())} ms");

        var baseline = await BaselineAsync(world, n, timeout);
        var p50 = Measure.Percentile(e2e, 50);
        report.Line(
            $"- baseline: {n} bare orchestrations of {ActivitySteps} no-op activity steps on the same host: " +
            $"wall {baseline.Wall:0.0} s, per orchestration p50 {baseline.P50:0.00} s, p95 {baseline.P95:0.00} s");
        report.Line(
            $"- Catalyst's own cost per provision over the bare engine: " +
            $"p50 {p50 - baseline.P50:0.0} s (includes the fake tofu: four `dotnet` process starts per apply, " +
            "which a real tofu would replace with its own, much longer, run)");
        report.Line();
    }

    /// <summary>The bare engine alone on an otherwise idle host: the floor every provision stands on.</summary>
    public static async Task EngineAsync(Report report, int n, TimeSpan timeout)
    {
        await using var world = await BenchWorld.StartAsync();
        await world.StartAppAsync();
        var cpuBefore = Measure.CpuSeconds(world.App!.Id);
        var baseline = await BaselineAsync(world, n, timeout);
        var cpu = Measure.CpuSeconds(world.App.Id).Self - cpuBefore.Self;
        report.Line(
            $"- N = {n}: {n} bare orchestrations of {ActivitySteps} no-op activity steps: " +
            $"wall {baseline.Wall:0.0} s, per orchestration p50 {baseline.P50:0.00} s, " +
            $"p95 {baseline.P95:0.00} s → {baseline.P50 / ActivitySteps * 1000:0} ms per step; " +
            $"app {cpu:0.0} CPU s{BenchWorld.Overrides()}");
    }

    public static List<double> PostbackLatencies(BenchWorld world)
    {
        var postbacks = world.Cloud.Postbacks();
        var clusters = world.Cloud.Kubernetes.Clusters;
        return postbacks.Where(p => clusters.ContainsKey(p.Key))
            .Select(
                p => (clusters[p.Key].FirstList - DateTimeOffset.FromUnixTimeMilliseconds(
                    p.Value).UtcDateTime).TotalMilliseconds).ToList();
    }

    /// <summary>Provisions whose cloud-init calls back only once the
    /// workflow shows it waits (step kubeconfig-wait).</summary>
    static async Task<(List<double> WatchStart, List<double> FirstState)> PostbackWhileWaitingAsync(BenchWorld world,
        int n, TimeSpan timeout)
    {
        var deferred = Path.Combine(world.Cloud.Root, "deferred");
        Directory.CreateDirectory(deferred);
        // Stopped as a kubelet stops it, so it releases its shards of the watch: a killed host's shards pass on only
        // when their leases expire (30 s), which would add that wait to the first postbacks measured here.
        world.App!.Terminate();
        await world.App.WaitForExitAsync(TimeSpan.FromSeconds(60));
        world.Settings["FAKE_TOFU_POSTBACK_DEFER_DIR"] = deferred;
        await world.StartAppAsync();
        var ids = new List<string>();
        for (var i = 0; i < n; i++) ids.Add(await world.CreateAsync($"wait-{i}-{Guid.NewGuid().ToString("N")[..4]}"));
        var steps = new Dictionary<string, string>();
        var refreshed = DateTime.MinValue;
        using var stop = new CancellationTokenSource();
        var player = new CloudInitPlayer(deferred, () => world.Http.BaseAddress!);
        var playing = player.RunAsync(async (id, _) =>
        {
            if (DateTime.UtcNow - refreshed > TimeSpan.FromMilliseconds(200))
            {
                steps = (await world.ListAsync()).ToDictionary(i => i["id"]!.GetValue<string>(),
                    i => i["step"]?.GetValue<string>() ?? "");
                refreshed = DateTime.UtcNow;
            }
            return steps.GetValueOrDefault(id) == "kubeconfig-wait";
        }, stop.Token);
        await world.WaitAllDoneAsync(ids, timeout);
        stop.Cancel();
        await playing;
        world.Settings.Remove("FAKE_TOFU_POSTBACK_DEFER_DIR");
        var clusters = world.Cloud.Kubernetes.Clusters;
        var firstState = new List<double>();
        foreach (var id in ids.Where(player.Sent.ContainsKey))
        {
            var events = (await world.Http.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}/events"))![
                "events"]!.AsArray();
            if (events.FirstOrDefault(e => e!["component"] is not null && e["state"] is not null) is { } first)
                firstState.Add(
                    (first["time"]!.GetValue<DateTimeOffset>().UtcDateTime - player.Sent[id]).TotalMilliseconds);
        }
        return (ids.Where(id => player.Sent.ContainsKey(id) && clusters.ContainsKey(id))
            .Select(id => (clusters[id].FirstList - player.Sent[id]).TotalMilliseconds).ToList(), firstState);
    }

    static async Task<(double Wall, double P50, double P95)> BaselineAsync(BenchWorld world, int n, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var ids = Enumerable.Range(0, n).Select(i => $"baseline{i}{Guid.NewGuid().ToString("N")[..6]}").ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 10 }, async (id, ct) =>
        {
            using var _ = await world.Http.PostAsync($"/baseline/{id}?steps={ActivitySteps}", null, ct);
        });
        var times = new Dictionary<string, double>();
        while (times.Count < n && clock.Elapsed < timeout)
        {
            foreach (var id in ids.Where(i => !times.ContainsKey(i)).ToList())
            {
                var state = await world.Http.GetFromJsonAsync<JsonObject>($"/probe/{id}");
                if (state?["status"]?.GetValue<string>() == "Completed")
                    times[id] =
                        (state["lastUpdatedAt"]!.GetValue<DateTimeOffset>() - state[
                            "createdAt"]!.GetValue<DateTimeOffset>()).TotalSeconds;
            }
            if (times.Count < n) await Task.Delay(500);
        }
        var list = times.Values.ToList();
        return (clock.Elapsed.TotalSeconds, Measure.Percentile(list, 50), Measure.Percentile(list, 95));
    }
}
