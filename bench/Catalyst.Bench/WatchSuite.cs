using System.Diagnostics;
using System.Text;
using Azure.Storage.Blobs;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Catalyst.Testing;

namespace Catalyst.Bench;

/// <summary>
/// How many Sovereigns one host keeps in the Phase-1 watch (issue 16): N provisions whose releases never finish but
/// keep changing (each release flips between installing and degraded every <see cref="FlipEvery"/>, the first change
/// <see cref="FirstChange"/> after the cluster's first list, releases staggered 30 s), added <see cref="Batch"/> at a
/// time, then, over a measuring window with 50 clients reading deployments, how long each change took from the fake API
/// server to the deployment's timeline, GET latency, errors, CPU and RSS (targets: 1 000 in the watch, change →
/// recorded p95 &lt; 2 s, GET p99 &lt; 100 ms, no errors, RSS &lt; 1 GiB).
/// </summary>
public static class WatchSuite
{
    static readonly TimeSpan FlipEvery = TimeSpan.FromSeconds(120);
    static readonly TimeSpan FirstChange = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Provisions are added this many at a time, each batch once the previous one is in the watch: what is measured is
    /// the watch, not hundreds of Phase 0s at once (300 at once saturated Azurite's history scans and never reached the
    /// watch).
    /// </summary>
    const int Batch = 50;

    /// <summary>The polling design this replaced, measured on this machine
    /// (docs/BENCHMARKS.md, 2026-11-27, `watch 100 200`).</summary>
    const string OldDesign =
        "old design (a durable timer and activity per 10 s poll; 2026-11-27, same machine): " +
        "at 100 every cluster polled on time, GET p99 20 ms; " +
        "at 200 clusters polled only 0.66× per 10 s (a change waited up to ~15 s to be seen), GET p99 174 ms; " +
        "it was not run past 200";

    /// <summary>
    /// One host, grown in steps: each N adds provisions to those already in the watch, then measures. With
    /// <paramref name="seeded"/>, deployments are written straight into the watch instead (the record, the kubeconfig
    /// in the vault and the registry entry: what <c>BeginWatch</c> writes), with no Phase 0 and no workflow: the
    /// watch's own cost at N, apart from the engine's history reads that stop the full path near 350 on Azurite.
    /// </summary>
    public static async Task RunAsync(Report report, IReadOnlyList<int> sizes, TimeSpan window, bool seeded = false)
    {
        await using var world = await BenchWorld.StartAsync();
        var kit = ReadsSuite.Kit;
        for (var k = 0; k < kit.Length; k++)
        {
            var scenario = new List<FakeHelmReleaseApi.Step> { new(TimeSpan.Zero, "Unknown", "Progressing",
                "Reconciliation in progress") };
            for (var j = 1; j <= 40; j++)
                scenario.Add(j % 2 == 1
                    ? new(FirstChange + FlipEvery * (j - 1) + TimeSpan.FromSeconds(k * 30), "False",
                        "HealthCheckFailed", $"health check failed ({j})")
                    : new(FirstChange + FlipEvery * (j - 1) + TimeSpan.FromSeconds(k * 30), "Unknown", "Progressing",
                        $"Reconciliation in progress ({j})"));
            world.Cloud.Kubernetes.With(kit[k], [.. scenario]);
        }
        world.Settings["CATALYST_PHASE1_WATCH_TIMEOUT"] = "3h";
        // The production check-in: the fake cloud's 30 s (quick conclusions for tests) made every deployment in the
        // watch a workflow step each 30 s — 11.7 steps/s at 350, each a scan of the hub's history in Azurite, which
        // is where the full path used to stop.
        world.Settings["CATALYST_PHASE1_WATCH_CHECK_IN"] = "5m";
        await world.StartAppAsync();
        var ids = new List<string>();
        if (seeded)
        {
            report.Line("Seeded: deployments written straight into the watch (record, vault kubeconfig, registry "
                + "entry); no Phase 0 and no workflow, so no check-ins and no conclusion events: the watch and the "
                + "reads only.");
            report.Line();
        }
        foreach (var n in sizes.Order()) await MeasureAsync(report, world, ids, n, window, kit, seeded);
    }

    /// <summary>What <c>BeginWatch</c> leaves behind for one deployment, written with the app's own types.</summary>
    static async Task<string> SeedAsync(BenchWorld world)
    {
        var blobs = new BlobServiceClient(world.Azurite.ConnectionString);
        var id = DeploymentId.New();
        await new DeploymentStore(blobs).CreateAsync(new DeploymentRecord
        {
            Id = id, Run = 1, Status = DeploymentStatuses.Phase1Watching, Phase = "phase1",
            Request = new DeploymentRequest { SovereignFqdn = $"{id}.omani.works" },
            KubeconfigBearerHash = "", StartedAt = DateTimeOffset.UtcNow,
        });
        await new Vault(blobs, Convert.FromBase64String(AppProcess.TestVaultKey)).PutAsync(id,
            VaultEntries.Kubeconfig,
            Encoding.UTF8.GetBytes(world.Cloud.Kubernetes.Kubeconfig(FakeHelmReleaseApi.Token + "." + id)));
        var hub = world.Settings["AzureFunctionsJobHost__extensions__durableTask__hubName"]!;
        // The app's defaults, but a watch that outlasts the run (as CATALYST_PHASE1_WATCH_TIMEOUT=3h on the app).
        var settings = WatchSettings.From(k => k == "CATALYST_PHASE1_WATCH_TIMEOUT" ? "3h" : null);
        await new WatchRegistry(blobs, WatchSharing.From(_ => null).Shards, hub).RegisterAsync(new WatchEntry
        {
            DeploymentId = id, Run = 1, Settings = settings, State = new WatchState { StartedAt = DateTime.UtcNow },
        }, default);
        return id;
    }

    static async Task MeasureAsync(Report report, BenchWorld world, List<string> ids, int n,
        TimeSpan window, string[] kit, bool seeded)
    {
        var clock = Stopwatch.StartNew();
        var before = ids.Count;
        var api = world.Cloud.Kubernetes;
        var clusters = api.Clusters;
        for (var start = before; start < n && clock.Elapsed < TimeSpan.FromMinutes(40); start += Batch)
        {
            await Parallel.ForEachAsync(Enumerable.Range(start, Math.Min(Batch, n - start)),
                new ParallelOptions { MaxDegreeOfParallelism = 10 }, async (i, _) =>
            {
                var id = seeded
                    ? await SeedAsync(world)
                    : await world.CreateAsync($"watch-{i}-{Guid.NewGuid().ToString("N")[..4]}");
                lock (ids) ids.Add(id);
            });
            while (clusters.Count < ids.Count && clock.Elapsed < TimeSpan.FromMinutes(40))
            {
                if (world.App!.HasExited)
                    throw new InvalidOperationException($"the app exited with {world.App.ExitCode}; its last lines:\n"
                        + string.Join('\n', world.App.Output.Split('\n').TakeLast(40)));
                Console.Write(
                    $"\r{clusters.Count}/{n} in the watch after {clock.Elapsed.TotalSeconds:0} s, {api.OpenWatches} " +
                    "open watches   ");
                await Task.Delay(1000);
            }
        }
        Console.WriteLine();
        var inWatch = clock.Elapsed.TotalSeconds;
        report.Line($"### N = {n}");
        report.Line();
        report.Line(
            $"- {clusters.Count}/{n} deployments in the watch ({inWatch:0} s to add {n - before}); {api.OpenWatches} " +
            "watch streams open");

        var listsBefore = api.ListRequests;
        var watchesBefore = api.WatchRequests;
        var cpuBefore = Measure.CpuSeconds(world.App!.Id);
        var windowStart = DateTime.UtcNow;
        var windowClock = Stopwatch.StartNew();
        var reads = await Load.RunAsync("GET /api/v1/deployments/{id}", world.Http.BaseAddress!,
            i => $"/api/v1/deployments/{ids[i % ids.Count]}", 50, window);
        var seconds = windowClock.Elapsed.TotalSeconds;
        var windowEnd = DateTime.UtcNow;
        var cpu = Measure.CpuSeconds(world.App.Id).Self - cpuBefore.Self;
        var lists = api.ListRequests - listsBefore;
        var watches = api.WatchRequests - watchesBefore;

        // Changes the server made in the window, and when each
        // reached its deployment's timeline (a few seconds' grace).
        await Task.Delay(TimeSpan.FromSeconds(5));
        var latencies = new List<double>();
        var missing = 0;
        var unread = 0;
        // A timeline reads storage: on a saturated Azurite one read can outlast the client's 30 s, which ended a run
        // at 500 before it reported (2026-11-30). Such a deployment is counted as unread, not as a crash.
        using var patient = new HttpClient { BaseAddress = world.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
        {
            JsonObject? timeline;
            try
            {
                timeline = await patient.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}/events", ct);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref unread);
                return;
            }
            var events = timeline!["events"]!.AsArray()
                .Select(e => e!.AsObject())
                .Where(e => e["phase"]?.GetValue<string>() == "component" && e["component"] is not null).ToList();
            // The n-th event of a component is its n-th transition (keys
            // stay internal; each step of this scenario is one transition).
            var recorded = events.GroupBy(e => e["component"]!.GetValue<string>())
                .ToDictionary(g => g.Key, g => g.OrderBy(e => e["seq"]!.GetValue<long>())
                    .Select(e => e["time"]!.GetValue<DateTimeOffset>().UtcDateTime).ToList());
            foreach (var release in kit)
                for (var step = 1; step <= 40; step++)
                {
                    if (api.ChangedAt(id, release, step) is not { } changed || changed < windowStart
                        || changed > windowEnd) continue;
                    var times = recorded.GetValueOrDefault(release["bp-".Length..]);
                    lock (latencies)
                    {
                        if (times is null || times.Count <= step) missing++;
                        else latencies.Add((times[step] - changed).TotalMilliseconds);
                    }
                }
        });
        report.Line(
            $"- over {seconds:0} s: {latencies.Count + missing} HelmRelease changes made by the API server; " +
            $"**change → recorded on the deployment** p50 {Measure.Ms(Measure.Percentile(latencies, 50))} ms, " +
            $"p95 {Measure.Ms(Measure.Percentile(latencies, 95))} ms, " +
            $"max {Measure.Ms(latencies.DefaultIfEmpty(double.NaN).Max())} ms; " +
            $"not recorded within 5 s of the window's end: {missing}" +
            (unread > 0 ? $"; timelines that could not be read within 2 min: {unread}" : ""));
        report.Line(
            $"- requests to the API server in the window: {lists} lists, {watches} new watches (no polling: " +
            "each Sovereign is listed once and then followed)");
        report.Line($"- meanwhile, 50 clients: {reads}");
        report.Line(
            $"- app CPU in the window {cpu / seconds * 100:0}% of one core; " +
            $"peak RSS {Measure.PeakRssMb(world.App.Id):0} MiB");
        report.Line($"- {OldDesign}");
        report.Line();
    }
}
