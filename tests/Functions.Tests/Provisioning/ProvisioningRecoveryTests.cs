using System.Text.Json.Nodes;
using Catalyst.Testing;
using Xunit.Abstractions;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>The host is killed with SIGKILL mid-phase and started again: the provision resumes, nothing runs twice.</summary>
public class ProvisioningRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SigkillDuringApplyResumesAgainstTheSameStateAndCreatesEachResourceOnce()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(300));
        // The third creation stalls until tofu is interrupted (or killed): the host dies with two resources in state.
        world.Settings["FAKE_TOFU_HANG_AFTER_CREATES"] = "2";
        var first = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync("crash", b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.crash.example"; });

        await world.WaitForCreationsAsync(id, 2);
        var applying = world.TofuPidsOf("apply").Last();
        // The host process alone, as when a node's OOM killer picks it: its tofu child is not killed by the test.
        first.KillAlone();
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Wait.UntilAsync(() => AppProcess.IsGone(applying), TimeSpan.FromSeconds(1), "the killed host's tofu to die with it");
        output.WriteLine($"tofu {applying} gone {clock.ElapsedMilliseconds} ms after its host");
        var createdBeforeKill = world.JournalLines().Count(l => l.StartsWith("created", StringComparison.Ordinal));
        output.WriteLine($"killed after {createdBeforeKill} creations");

        clock.Restart();
        world.Settings.Remove("FAKE_TOFU_HANG_AFTER_CREATES");
        var second = await world.StartAppAsync();
        // Resumed = a new apply has started: the work item came back and plan took the dead run's lock at once.
        await Wait.UntilAsync(() => world.TofuPidsOf("apply").Any(pid => pid != applying),
            TimeSpan.FromSeconds(30), "tofu to apply again on the next host");
        output.WriteLine($"restart → tofu applying again: {clock.Elapsed.TotalSeconds:0.0} s");
        var statuses = new HashSet<string>();
        var ready = await Wait.ForAsync(async () =>
        {
            var state = await world.StateAsync(id);
            statuses.Add(state["status"]!.GetValue<string>());
            return state["status"]!.GetValue<string>() == "ready" ? state : null;
        }, TimeSpan.FromSeconds(240), "the resumed provision to be ready", TimeSpan.FromMilliseconds(250));

        Assert.DoesNotContain("failed", statuses);
        var creations = world.JournalLines().Where(l => l.StartsWith("created", StringComparison.Ordinal)).ToList();
        if (creations.Count != creations.Distinct().Count())
        {
            output.WriteLine($"journal:\n{string.Join('\n', world.JournalLines())}");
            output.WriteLine($"events:\n{string.Join('\n', (await world.EventsAsync(id)).Select(e => e.ToJsonString()))}");
            output.WriteLine($"first host:\n{first.Output}\nsecond host:\n{second.Output}");
        }
        Assert.Equal(creations.Distinct().Count(), creations.Count);
        Assert.Equal(6, creations.Count);
        Assert.Equal("ready", ready["result"]!["phase1Outcome"]!.GetValue<string>());
        // The dead run's lock was taken without waiting out its lease, and the timeline says so.
        Assert.Contains(await world.EventsAsync(id), e => e["message"]!.GetValue<string>().Contains("its execution is gone"));
    }

    [Fact]
    public async Task SigtermMidApplyInterruptsTofuExitsZeroAndTheNextHostFinishesWithoutCreatingTwice()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(300));
// The second creation stalls until tofu is interrupted; then it completes and must be saved before the host exits.
        world.Settings["FAKE_TOFU_HANG_AFTER_CREATES"] = "1";
        var first = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync("term", b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.term.example"; });
        await world.WaitForCreationsAsync(id, 1);
        var applying = world.TofuPidsOf("apply").Last();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        first.Terminate();
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(35)), "SIGTERM did not end the host within its shutdown budget");
        output.WriteLine($"SIGTERM mid-apply → exit {first.ExitCode} after {clock.Elapsed.TotalSeconds:0.0} s");
        if (first.ExitCode != 0) output.WriteLine($"first host:\n{first.Output}");
        Assert.Equal(0, first.ExitCode);
        Assert.True(AppProcess.IsGone(applying), "tofu outlived its host");

        world.Settings.Remove("FAKE_TOFU_HANG_AFTER_CREATES");
        await world.StartAppAsync();
        await world.WaitForStatusAsync(id, "ready", TimeSpan.FromSeconds(180));
        var creations = world.JournalLines().Where(l => l.StartsWith("created", StringComparison.Ordinal)).ToList();
        if (creations.Count != 6)
        {
            output.WriteLine($"journal:\n{string.Join('\n', world.JournalLines())}");
            output.WriteLine($"events:\n{string.Join('\n', (await world.EventsAsync(id)).Select(e => e["message"]!.GetValue<string>()))}");
            output.WriteLine($"first host:\n{first.Output}");
        }
        Assert.Equal(6, creations.Count);
        Assert.Equal(6, creations.Distinct().Count());
    }

    [Fact]
    public async Task AServerCreatedButNeverWrittenToStateIsAdoptedByTheRetryNotCreatedAgain()
    {
        // The worst moment for a crash: Hetzner has made the server, tofu dies before its state write.
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(300));
        world.Settings["FAKE_TOFU_DIE_AFTER_CREATE"] = "hcloud_server.control_plane[0]";
        var app = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync("adopt", b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.adopt.example"; });
        await world.WaitForStatusAsync(id, "failed");

        using var retry = await app.Http.PostAsync($"/api/v1/deployments/{id}/phases/tofu-apply/retry", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, retry.StatusCode);
        await world.WaitForStatusAsync(id, "ready", TimeSpan.FromSeconds(180));

        var journal = world.JournalLines();
        Assert.Equal(1, journal.Count(l => l == "created hcloud_server.control_plane[0]"));
        Assert.Equal(1, journal.Count(l => l == "imported hcloud_server.control_plane[0]"));
        var created = journal.Where(l => l.StartsWith("created ", StringComparison.Ordinal)).ToList();
        Assert.Equal(created.Distinct().Count(), created.Count);
        Assert.Contains(await world.EventsAsync(id), e => e["message"]!.GetValue<string>().StartsWith("adopted hcloud_server.control_plane[0] (id ", StringComparison.Ordinal));
        // One object at Hetzner for each resource of the module: nothing paid for twice.
        var objects = world.Hetzner.Objects;
        Assert.Equal(created.Count, objects.Count);
        Assert.Equal(objects.Count, objects.Select(o => o.Name).Distinct().Count());
    }

    [Fact]
    public async Task AWipeDuringAnApplyStopsItFirstThenDestroysEverythingItCreated()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        // The apply's third creation stalls, holding the state lock, until something interrupts it.
        world.Settings["FAKE_TOFU_HANG_AFTER_CREATES"] = "2";
        var app = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync("wipeapply", b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.wipeapply.example"; });
        await world.WaitForCreationsAsync(id, 2);
        var applying = world.TofuPidsOf("apply").Last();

        using (var wipe = await app.Http.PostAsync($"/api/v1/deployments/{id}/wipe", null))
            Assert.True(wipe.IsSuccessStatusCode, $"wipe answered {(int)wipe.StatusCode}");
        await world.WaitForStatusAsync(id, "wiped", TimeSpan.FromSeconds(120));

        Assert.True(AppProcess.IsGone(applying), "the apply's tofu still runs after the wipe");
        try
        {
            // The apply's last lines reach the timeline from its own activity, which may finish after the wipe does.
            await Wait.UntilAsync(() => world.EventsAsync(id).Result.Select(e => e["message"]!.GetValue<string>()) is var m
                                        && m.Any(x => x.StartsWith("Wipe: an apply is still running; asked it to stop", StringComparison.Ordinal))
                                        && m.Contains("Interrupt received."), TimeSpan.FromSeconds(20), "the stop request and tofu's interrupt on the timeline");
        }
        catch (TimeoutException)
        {
            output.WriteLine(string.Join('\n', (await world.EventsAsync(id)).Select(e => $"{e["time"]} {e["message"]}")));
            output.WriteLine(app.Output);
            throw;
        }
        // Everything the apply created — the resource in flight included — was saved to state and destroyed.
        var journal = world.JournalLines();
        var created = journal.Where(l => l.StartsWith("created ", StringComparison.Ordinal)).Select(l => l["created ".Length..]).ToList();
        var destroyed = journal.Where(l => l.StartsWith("destroyed ", StringComparison.Ordinal)).Select(l => l["destroyed ".Length..]).ToList();
        Assert.Equal(3, created.Count);
        Assert.Equal(created.Order(), destroyed.Order());
        Assert.Empty(world.Hetzner.Objects);
    }

    [Fact]
    public async Task SigkillDuringTheWatchResumesWithoutRecordingATransitionTwice()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromSeconds(4));
        var first = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync("watchkill", b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.watchkill.example"; });

        await Wait.UntilAsync(() => world.EventsAsync(id).Result.Any(e => e["phase"]!.GetValue<string>() == "component"),
            TimeSpan.FromSeconds(90), "the watch to record a component");
        first.Kill();
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        await world.StartAppAsync();
        await world.WaitForStatusAsync(id, "ready", TimeSpan.FromSeconds(180));

        var transitions = (await world.EventsAsync(id)).Where(e => e["phase"]!.GetValue<string>() == "component")
            .Select(e => $"{e["component"]}:{e["state"]}").ToList();
        Assert.Equal(transitions.Distinct().Count(), transitions.Count);
        Assert.All(ProvisioningWorld.Kit, hr => Assert.Contains($"{hr["bp-".Length..]}:installed", transitions));
        var creations = world.JournalLines().Count(l => l.StartsWith("created", StringComparison.Ordinal));
        Assert.Equal(6, creations);
    }

    /// <summary>
    /// Issue 16: two replicas on one task hub; the one holding the watch's shards is killed mid-watch and the other, already
    /// running, takes the shards when their lease lapses, re-lists, and reaches the same outcome with no transition twice.
    /// </summary>
    [Fact]
    public async Task AReplicaKilledDuringTheWatchIsFollowedByAnotherThatReachesTheSameOutcome()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Settings["CATALYST_PHASE1_WATCH_LEASE"] = "15s";
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromSeconds(5));
        var watcher = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync("replicas", b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.replicas.example"; });
        await Wait.UntilAsync(() => world.EventsAsync(id).Result.Any(e => e["phase"]!.GetValue<string>() == "component"),
            TimeSpan.FromSeconds(90), "the watch to record a component");

        var other = await world.StartAppAsync(); // started second: the first replica holds every shard
        watcher.Kill();
        Assert.True(await watcher.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var state = await world.WaitForStatusAsync(id, "ready", TimeSpan.FromSeconds(180));

        Assert.Equal("ready", state["result"]!["phase1Outcome"]!.GetValue<string>());
        var transitions = (await world.EventsAsync(id)).Where(e => e["phase"]!.GetValue<string>() == "component")
            .Select(e => $"{e["component"]}:{e["state"]}").ToList();
        Assert.Equal(transitions.Distinct().Count(), transitions.Count);
        Assert.All(ProvisioningWorld.Kit, hr => Assert.Contains($"{hr["bp-".Length..]}:installed", transitions));
        Assert.Same(other, world.App);
    }
}
