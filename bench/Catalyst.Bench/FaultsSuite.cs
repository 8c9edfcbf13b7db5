using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;

namespace Catalyst.Bench;

/// <summary>
/// Provisions under SIGKILL: the host process alone (not its process group: its tofu children must die by themselves)
/// is killed at random moments,
/// at least once while tofu applies, while the workflow waits for the kubeconfig and while it watches, and Azurite
/// is stopped cleanly (SIGTERM) and restarted twice, once under a live host; then every
/// provision must be ready, every resource created once (the fake tofu's journal) and every event log complete,
/// in order, without duplicate keys. Cloud-init is played here (deferred postbacks, sent a few seconds late) so the
/// wait for the kubeconfig is wide enough to kill the host in.
/// </summary>
public static class FaultsSuite
{
    static readonly string[] Steps = ["tofu-start", "dns-publish", "dns-published", "phase0-complete",
        "kubeconfig-wait", "kubeconfig-received", "all-reconciled", "ready"];
    const int Resources = 6;
    const int MaxKills = 12;

    public static async Task RunAsync(Report report, int n)
    {
        await using var world = await BenchWorld.StartAsync(persistentStorage: true);
        var deferred = Path.Combine(world.Cloud.Root, "postbacks");
        Directory.CreateDirectory(deferred);
        world.Settings["FAKE_TOFU_RESOURCE_DELAY_MS"] = "700";
        world.Settings["FAKE_TOFU_POSTBACK_DEFER_DIR"] = deferred;
        world.Settings["CATALYST_PHASE1_WATCH_CHECK_IN"] = "10s";
        var pids = Path.Combine(world.Cloud.Root, "tofu-pids.log");
        world.Settings["FAKE_TOFU_PIDS"] = pids;
        world.Cloud.Kubernetes.Installing(ReadsSuite.Kit, TimeSpan.FromSeconds(5));
        await world.StartAppAsync();

        using var stop = new CancellationTokenSource();
        var cloudInit = new CloudInitPlayer(deferred, () => world.Http.BaseAddress!).RunAsync((_, written) =>
            Task.FromResult(written + TimeSpan.FromSeconds(8) < DateTime.UtcNow), stop.Token);
        var random = new Random(20261127);
        var clock = Stopwatch.StartNew();
        var ids = new List<string>();
        var kills = new List<string>();
        var recoveries = new List<double>();
        var covered = new HashSet<string>();
        var azuriteRestarted = false;
        var orphans = new List<string>();
        var creating = Task.Run(async () =>
        {
            for (var i = 0; i < n; i++)
            {
                // A retried POST carries the same body and Idempotency-Key, as a real client's would: a request the
                // dead host accepted but never answered yields the same deployment, not a second one.
                var sub = $"fault-{i}-{Guid.NewGuid().ToString("N")[..4]}";
                for (var attempt = 0; ; attempt++)
                    try { ids.Add(await world.CreateAsync(sub, idempotencyKey: sub)); break; }
                    catch (Exception e)
                        when (e is HttpRequestException or TaskCanceledException or InvalidOperationException
                            && attempt < 40) { await Task.Delay(500); }
                await Task.Delay(random.Next(500, 2500));
            }
        });

        while (clock.Elapsed < TimeSpan.FromMinutes(12))
        {
            await Task.Delay(random.Next(4000, 12000));
            List<JsonObject> items;
            try { items = (await world.ListAsync()).Where(i => ids.Contains(i["id"]!.GetValue<string>())).ToList(); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { continue; }
            var phases = items.Select(PhaseOf).Where(p => p is not null).Select(p => p!).ToList();
            if (creating.IsCompleted && phases.Count == 0 && items.Count == n) break;
            // Enough kills to hit every phase; past that, let the provisions
            // finish (a kill every few seconds would starve them).
            if (phases.Count == 0
                || kills.Count >= MaxKills && covered.IsSupersetOf(["tofu", "kubeconfig-wait", "watch"])) continue;
            var phaseCounts = string.Join(", ", phases.GroupBy(p => p).Select(g => $"{g.Count()} {g.Key}"));
            covered.UnionWith(phases);
            var tofuBefore = File.Exists(pids)
                ? File.ReadAllLines(pids).Select(l => int.Parse(l.Split(' ')[0])).ToHashSet() : [];
            world.App!.KillAlone();
            await world.App.WaitForExitAsync(TimeSpan.FromSeconds(10));
            var died = Stopwatch.StartNew();
            while (died.Elapsed < TimeSpan.FromSeconds(1)
                && tofuBefore.Any(p => !Catalyst.Testing.AppProcess.IsGone(p))) await Task.Delay(20);
            orphans.AddRange(tofuBefore.Where(p => !Catalyst.Testing.AppProcess.IsGone(p))
                .Select(p => $"tofu {p} alive 1 s after kill {kills.Count + 1}"));
            var note = "";
            if (!azuriteRestarted && kills.Count == 2)
            {
                await world.RestartAzuriteAsync();
                azuriteRestarted = true;
                note = " + Azurite stopped (SIGTERM) and restarted on the same ports";
            }
            var down = Stopwatch.StartNew();
            await world.StartAppAsync();
            recoveries.Add(down.Elapsed.TotalSeconds);
            kills.Add(
                $"kill {kills.Count + 1} at {clock.Elapsed.TotalSeconds:0} s while {phaseCounts}{note}; " +
                $"host healthy again after {down.Elapsed.TotalSeconds:0.0} s");
            Console.WriteLine(kills[^1]);
            // Mid-run Azurite restart under a live host too: the host must ride it out without a restart of its own.
            if (kills.Count == 4)
            {
                await world.RestartAzuriteAsync();
                kills.Add(
                    $"Azurite stopped (SIGTERM) and restarted at {clock.Elapsed.TotalSeconds:0} s under the running " +
                    "host (no host restart)");
                Console.WriteLine(kills[^1]);
            }
        }
        await creating;
        var done = await world.WaitAllDoneAsync(ids, TimeSpan.FromMinutes(5));
        stop.Cancel();
        await cloudInit;

        report.Line(
            $"{n} provisions, {kills.Count(k => k.StartsWith("kill"))} SIGKILLs of the " +
            $"host, {clock.Elapsed.TotalSeconds:0} s. Fake tofu 700 ms per resource, postbacks 8 s after apply, " +
            "poll 1 s.");
        report.Line();
        foreach (var k in kills) report.Line($"- {k}");
        report.Line();
        report.Line(
            $"- phases hit by a kill: {string.Join(", ", covered.Order())} (required: tofu, kubeconfig-wait, watch)");
        report.Line($"- host restart → /healthz: median {Measure.Percentile(recoveries, 50):0.0} s");
        var ready = done.Values.Count(d => BenchWorld.StatusOf(d) == "ready");
        report.Line(
            $"- terminal state: {ready}/{n} ready " +
            $"({string.Join(", ", done.Values.GroupBy(BenchWorld.StatusOf).Select(g => $"{g.Count()} {g.Key}"))})");

        var twice = ids.SelectMany(id => world.Cloud.JournalLines(id)
            .Where(l => l.StartsWith("created ", StringComparison.Ordinal))
            .GroupBy(l => l).Where(g => g.Count() > 1).Select(g => $"{id}: {g.Key} ×{g.Count()}")).ToList();
        var incomplete = ids.Where(id => world.Cloud.JournalLines(id)
            .Where(l => l.StartsWith("created ", StringComparison.Ordinal)).Distinct().Count() != Resources).ToList();
        report.Line(
            $"- resources: {(twice.Count == 0 ? "none created twice"
                : "CREATED TWICE: " + string.Join("; ", twice))}; " +
            $"{(incomplete.Count == 0 ? $"all {n} have exactly {Resources} distinct resources"
                : "incomplete: " + string.Join(", ", incomplete))}");

        report.Line(
            $"- tofu after a host SIGKILL: {(orphans.Count == 0 ? "every tofu child was gone within 1 s"
                : "OUTLIVED ITS HOST: " + string.Join("; ", orphans))}");
        // The fake cloud is the judge too: one object per module resource and name, nothing left over.
        var objects = world.Cloud.Hetzner.Objects;
        var duplicateObjects = objects.GroupBy(o => (o.Kind, o.Name)).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.Kind}/{g.Key.Name} ×{g.Count()}").ToList();
        report.Line(
            $"- Hetzner objects: {objects.Count} for {n} provisions; {(duplicateObjects.Count == 0 ? "no name twice"
                : "TWICE: " + string.Join("; ", duplicateObjects))}");
        var eventProblems = await CheckEventsAsync(new BlobServiceClient(world.Azurite.ConnectionString), ids);
        report.Line(
            $"- events: {(eventProblems.Count == 0
                ? "every log has accepted + the 8 phase steps once each, in order; no duplicate keys"
                : string.Join("; ", eventProblems))}");
        var pass = ready == n && twice.Count == 0 && incomplete.Count == 0 && eventProblems.Count == 0
            && covered.IsSupersetOf(["tofu", "kubeconfig-wait", "watch"])
                   && orphans.Count == 0 && duplicateObjects.Count == 0 && objects.Count == n * Resources;
        report.Line($"- **{(pass ? "PASS" : "FAIL")}**");
        report.Line();
    }

    static string? PhaseOf(JsonObject item)
    {
        var status = BenchWorld.StatusOf(item);
        if (status is "ready" or "failed") return null;
        var step = item["step"]?.GetValue<string>() ?? "";
        var phase = item["phase"]?.GetValue<string>() ?? "";
        if (phase is "tofu" or "queued" || step.StartsWith("tofu", StringComparison.Ordinal)) return "tofu";
        if (phase == "dns" || step is "phase0-complete") return "dns";
        if (step == "kubeconfig-wait") return "kubeconfig-wait";
        return "watch";
    }

    static async Task<List<string>> CheckEventsAsync(BlobServiceClient blobs, IEnumerable<string> ids)
    {
        var problems = new List<string>();
        var container = blobs.GetBlobContainerClient("events");
        foreach (var id in ids)
        {
            var text = (await container.GetBlobClient($"{id}.jsonl").DownloadContentAsync()).Value.Content.ToString();
            var events = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
            var keys = events.Select(e => e["key"]?.GetValue<string>() ?? "").ToList();
            if (keys.Count != keys.Distinct().Count())
                problems.Add(
                    $"{id}: duplicate keys {string.Join(",",
                        keys.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key))}");
            var positions =
                Steps.Select(step => keys.FindIndex(k => k.EndsWith(":" + step, StringComparison.Ordinal))).ToList();
            if (keys.FirstOrDefault() != $"{id}:accepted") problems.Add($"{id}: does not open with accepted");
            if (positions.Any(p => p < 0))
                problems.Add($"{id}: missing {string.Join(",", Steps.Where((_, i) => positions[i] < 0))}");
            else if (!positions.SequenceEqual(positions.Order())) problems.Add($"{id}: steps out of order");
            var seqs = events.Select(e => e["seq"]?.GetValue<long>() ?? 0).ToList();
            if (!seqs.SequenceEqual(seqs.Order())) problems.Add($"{id}: seq not increasing");
        }
        return problems;
    }
}
