using System.Diagnostics;
using Catalyst.Testing;

namespace Catalyst.Bench;

/// <summary>
/// Issue 16, "applies go where there is room": hosts on one task hub with <c>CATALYST_TOFU_MAX_PARALLEL=4</c> each, and
/// provisions whose fake apply takes a fixed time. One provision alone gives one apply's time; 8 at once on one host
/// take two rounds of it (4 slots); 8 at once with a second host should take about one, spread over both. The fake tofu
/// journals each apply's start and end with the state backend it used — the host that started it.
/// </summary>
public static class AppliesSuite
{
    public const int Slots = 4;

    public static async Task RunAsync(Report report, int n, TimeSpan applyTime)
    {
        await using var world = await BenchWorld.StartAsync();
        world.Cloud.Kubernetes.Installing(ReadsSuite.Kit, TimeSpan.Zero);
        var applies = Path.Combine(world.Cloud.Root, "applies.log");
        world.Settings["FAKE_TOFU_APPLIES"] = applies;
        world.Settings["FAKE_TOFU_APPLY_DELAY_MS"] =
            ((int)applyTime.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        world.Settings["CATALYST_TOFU_MAX_PARALLEL"] =
            Slots.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var a = await world.StartAppAsync();
        var hosts = new Dictionary<string, (string Name, AppProcess App)> { [$"127.0.0.1:{a.Port}"] = ("A", a) };

        report.Line(
            $"Each host: `CATALYST_TOFU_MAX_PARALLEL={Slots}`; the fake apply holds its state " +
            $"lock {applyTime.TotalSeconds:0} s before its first resource" +
                    $" (plus four `dotnet` starts of the fake tofu per provision: init, plan, apply, " +
                    $"output){BenchWorld.Overrides()}.");
        report.Line();
        // The first provision of a fresh host pays its JIT and Azurite's: not a fair "one apply".
        var cold = await RoundAsync(world, applies, hosts, 1, "cold");
        var one = await RoundAsync(world, applies, hosts, 1, "one");
        report.Line(
            $"- **one apply alone** (host A, warm): tofu apply {one.ApplyP50:0.0} s; " +
            $"POST → its apply ends **{one.ToLastApplyEnd:0.0} s**; POST → ready {one.ToAllReady:0.0} s" +
                    $" (the host's first provision, cold: {cold.ToLastApplyEnd:0.0} s and {cold.ToAllReady:0.0} s)");
        var single = await RoundAsync(world, applies, hosts, n, "one-host");
        report.Line(
            $"- {n} at once, **one host**: last apply ends {single.ToLastApplyEnd:0.0} s after the first POST " +
            $"({single.ToLastApplyEnd / one.ToLastApplyEnd:0.0}× one apply), " +
            $"all ready after {single.ToAllReady:0.0} s;" +
                    $" applies per host {single.PerHost}; most at once per host {single.PeakPerHost}; " +
                    $"'no slot here' answers {single.NoSlot}; an apply's start after its POST " +
                    $"p50 {single.StartDelayP50:0.0} s, max {single.StartDelayMax:0.0} s;" +
                    $" the {n} tofu apply commands span {single.ApplySpan:0.0} s (first start → last " +
                    $"end, {single.ApplySpan / one.ApplyP50:0.0}× one apply command)");

        await using var b = AppProcess.Start(BenchWorld.HostDll, world.Settings);
        await b.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        hosts[$"127.0.0.1:{b.Port}"] = ("B", b);
        // A warm-up round on both hosts: the second host takes over its share of the hub's partitions meanwhile.
        var warm = await RoundAsync(world, applies, hosts, 1, "warm");
        var two = await RoundAsync(world, applies, hosts, n, "two-hosts");
        report.Line(
            $"- {n} at once, **two hosts** (B started after A, as KEDA adds one): " +
            $"last apply ends **{two.ToLastApplyEnd:0.0} s** after the first POST" +
                    $" (**{two.ToLastApplyEnd / one.ToLastApplyEnd:0.0}× one apply**), " +
                    $"all ready after {two.ToAllReady:0.0} s; **applies per host {two.PerHost}**;" +
                    $" most at once per host {two.PeakPerHost}; 'no slot here' answers {two.NoSlot}; " +
                    $"an apply's start after its POST p50 {two.StartDelayP50:0.0} s, max {two.StartDelayMax:0.0} s;" +
                    $" the {n} tofu apply commands span **{two.ApplySpan:0.0} s** (first start → last end, " +
                    $"**{two.ApplySpan / one.ApplyP50:0.0}× one apply command**)");
        report.Line(
            $"- (warm-up on two hosts, one provision: POST → ready {warm.ToAllReady:0.0} s, ran on {warm.PerHost})");
        report.Line(
            $"- machine load: {File.ReadAllText("/proc/loadavg").Split(' ')[0]} (1-minute load average at the end; " +
            $"every fake tofu command is a `dotnet` process start, so init and plan of {n} provisions at once queue " +
            "for the CPU)");
        report.Line();
    }

    sealed record Round(double ApplyP50, double ToLastApplyEnd, double ToAllReady, string PerHost, string PeakPerHost,
        string NoSlot, double StartDelayP50, double StartDelayMax,
        double ApplySpan);

    static async Task<Round> RoundAsync(BenchWorld world, string applies,
        Dictionary<string, (string Name, AppProcess App)> hosts, int n, string label)
    {
        var noSlotBefore = hosts.Values.ToDictionary(h => h.Name, h => NoSlotLines(h.App));
        var clock = Stopwatch.StartNew();
        var posted = DateTimeOffset.UtcNow;
        var ids = (await Task.WhenAll(Enumerable.Range(0, n)
            .Select(i => world.CreateAsync($"{label}-{i}-{Guid.NewGuid().ToString("N")[..4]}")))).ToList();
        var done = await world.WaitAllDoneAsync(ids, TimeSpan.FromMinutes(10),
            d => Console.Write($"\r{label}: {d}/{n} done after {clock.Elapsed.TotalSeconds:0} s   "));
        var allReady = clock.Elapsed.TotalSeconds;
        Console.WriteLine();
        var notReady = done.Values.Count(d => BenchWorld.StatusOf(d) != "ready") + n - done.Count;
        if (notReady > 0)
            throw new InvalidOperationException($"{label}: {notReady} of {n} provisions did not become ready");

        var lines = File.ReadAllLines(applies).Select(l => l.Split(' ')).Where(p => ids.Contains(p[0]))
            .Select(p => (Id: p[0], Host: hosts.TryGetValue(p[1], out var h) ? h.Name : p[1], What: p[2],
                At: DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(p[3],
                    System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();
        var runs = lines.Where(l => l.What == "start")
            .Select(s => (s.Id, s.Host, Start: s.At,
                End: lines.Where(e => e.What == "end" && e.Id == s.Id && e.Host == s.Host && e.At >= s.At)
                    .Select(e => e.At).DefaultIfEmpty(DateTimeOffset.MaxValue).Min()))
            .ToList();
        var names = hosts.Values.Select(h => h.Name).Order().ToList();
        string PerHost(Func<string, string> of) => string.Join(", ", names.Select(name => $"{name} {of(name)}"));
        int Peak(string host)
        {
            var mine = runs.Where(r => r.Host == host).ToList();
            return mine.Count == 0 ? 0 : mine.Max(r => mine.Count(o => o.Start <= r.Start && o.End > r.Start));
        }
        var startDelays = runs.Select(r => (r.Start - posted).TotalSeconds).ToList();
        return new Round(
            Measure.Percentile(runs.Select(r => (r.End - r.Start).TotalSeconds).ToList(), 50),
            (runs.Max(r => r.End) - posted).TotalSeconds,
            allReady,
            PerHost(name => runs.Count(r => r.Host == name)
                .ToString(System.Globalization.CultureInfo.InvariantCulture)),
            PerHost(name => Peak(name).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            PerHost(name => (NoSlotLines(hosts.Values.Single(h => h.Name == name).App) - noSlotBefore[name]).ToString(
                System.Globalization.CultureInfo.InvariantCulture)),
            Measure.Percentile(startDelays, 50),
            startDelays.Max(),
            (runs.Max(r => r.End) - runs.Min(r => r.Start)).TotalSeconds);
    }

    static int NoSlotLines(AppProcess app) =>
        app.Output.Split('\n').Count(l => l.Contains("No free tofu slot", StringComparison.Ordinal));
}
