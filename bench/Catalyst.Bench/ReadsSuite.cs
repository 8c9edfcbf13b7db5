namespace Catalyst.Bench;

/// <summary>(a) GET one deployment and the list under 50 concurrent clients, against /healthz on the same host; then
/// /metrics scraped beside them.</summary>
public static class ReadsSuite
{
    public static async Task RunAsync(Report report, int clients = 50, int seconds = 10)
    {
        await using var world = await BenchWorld.StartAsync();
        world.Cloud.Kubernetes.Installing(Kit, TimeSpan.Zero);
        await world.StartAppAsync();
        var ids = new List<string>();
        for (var i = 0; i < 20; i++) ids.Add(await world.CreateAsync($"reads-{i}-{Guid.NewGuid().ToString("N")[..4]}"));
        var done = await world.WaitAllDoneAsync(ids, TimeSpan.FromMinutes(5));
        report.Line(
            $"{done.Count} deployments in storage ({done.Values.Count(d => BenchWorld.StatusOf(d) == "ready")} " +
            $"ready); {clients} clients, {seconds} s per endpoint, closed loop.");
        report.Line();
        var baseAddress = world.Http.BaseAddress!;
        var duration = TimeSpan.FromSeconds(seconds);
        var health = await Load.RunAsync("GET /healthz", baseAddress, _ => "/healthz", clients, duration);
        var one = await Load.RunAsync("GET /api/v1/deployments/{id}", baseAddress,
            n => $"/api/v1/deployments/{ids[n % ids.Count]}", clients, duration);
        var list = await Load.RunAsync("GET /api/v1/deployments (20 items)", baseAddress, _ => "/api/v1/deployments",
            clients, duration);
        // Issue 17: what a Prometheus scrape costs while the clients
        // read deployments (one scraper beside them, closed loop).
        var readingBeside = Load.RunAsync("GET /api/v1/deployments/{id} (metrics scraped)", baseAddress,
            n => $"/api/v1/deployments/{ids[n % ids.Count]}", clients, duration);
        var metrics = Load.RunAsync("GET /metrics (1 scraper)", baseAddress, _ => "/metrics", 1, duration);
        await Task.WhenAll(readingBeside, metrics);
        report.Line("```");
        foreach (var r in new[] { health, one, list, await readingBeside, await metrics }) report.Line(r.ToString());
        report.Line("```");
        report.Line();
        report.Line(
            $"Ratio to /healthz: one deployment {health.PerSecond / one.PerSecond:0.0}× fewer req/s, " +
            $"p99 {one.P99 / health.P99:0.0}×; " +
                    $"list {health.PerSecond / list.PerSecond:0.0}× fewer req/s, p99 {list.P99 / health.P99:0.0}×.");
        var cpu = Measure.CpuSeconds(world.App!.Id);
        report.Line(
            $"App process after the run: {cpu.Self:0.0} CPU s, peak RSS {Measure.PeakRssMb(world.App.Id):0} MiB.");
    }

    public static readonly string[] Kit = ["bp-cilium", "bp-cert-manager", "bp-flux", "bp-keycloak"];
}
