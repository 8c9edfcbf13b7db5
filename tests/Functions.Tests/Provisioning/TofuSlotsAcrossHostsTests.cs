using Catalyst.Functions.Orchestrations;
using Catalyst.Testing;
using Xunit.Abstractions;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>
/// Issue 16 with two real hosts on one task hub: an apply that finds no free tofu slot where it landed goes back to the
/// queue and runs on the host that has room — here a host started after the apply began to wait, as KEDA adds one.
/// </summary>
public sealed class TofuSlotsAcrossHostsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AnApplyWithNoSlotOnItsHostRunsOnAHostAddedLater()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(300));
        var applies = Path.Combine(Path.GetDirectoryName(world.Journal)!, "applies.log");
        world.Settings["FAKE_TOFU_APPLIES"] = applies;
        world.Settings["CATALYST_TOFU_MAX_PARALLEL"] = "1";
        // Host A's applies never finish (the first resource stalls until tofu is interrupted): its one slot stays taken, so
        // the other apply can only ever run on host B — whichever host the engine hands each ask to.
        var hostB = new Dictionary<string, string?>(world.Settings)
        {
            // Each ask goes to whichever host polls the work-item queue first (both at most every second, by host.json). B
            // polls faster so that it, not the full host A, usually wins: the test then ends in seconds rather than after
            // a run of asks that happened to land on A. Without the rule B would never get the apply, however fast it polls.
            ["AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval"] = "00:00:00.100",
        };
        world.Settings["FAKE_TOFU_HANG_AFTER_CREATES"] = "0";
        var a = await world.StartAppAsync();

        var ids = new[] { await world.CreateDeploymentAsync("slot-a"), await world.CreateDeploymentAsync("slot-b") };
        var waiting = await Wait.ForAsync(async () =>
        {
            foreach (var id in ids)
                if ((await world.EventsAsync(id)).Any(e => e["message"]!.GetValue<string>() == ProvisionSovereignOrchestrator.TofuSlotWaitMessage))
                    return id;
            return null;
        }, TimeSpan.FromSeconds(60), "one apply to wait for a tofu slot on host A");
        var hung = ids.Single(id => id != waiting);
        await Wait.UntilAsync(() => Lines(applies).Any(l => l.Id == hung && l.What == "start"), TimeSpan.FromSeconds(60), "host A's apply to start");

        await using var b = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), hostB);
        await b.WaitHealthyAsync();
        await world.WaitForStatusAsync(waiting, "ready", TimeSpan.FromSeconds(240));

        var hostOf = new Dictionary<string, string> { [$"127.0.0.1:{a.Port}"] = "A", [$"127.0.0.1:{b.Port}"] = "B" };
        var ran = Lines(applies).Select(l => (l.Id, Host: hostOf.GetValueOrDefault(l.Host, l.Host), l.What)).ToList();
        output.WriteLine(string.Join("\n", ran));
        Assert.Equal([(hung, "A", "start")], ran.Where(r => r.Id == hung));
        Assert.Equal([(waiting, "B", "start"), (waiting, "B", "end")], ran.Where(r => r.Id == waiting));

        // Every "no slot here" answer is a log line; the timeline says it once, however many asks there were.
        var asks = (a.Output + "\n" + b.Output).Split('\n').Count(l => l.Contains("No free tofu slot", StringComparison.Ordinal) && l.Contains(waiting, StringComparison.Ordinal));
        output.WriteLine($"{asks} ask(s) answered 'no slot here' before host B took the apply");
        Assert.True(asks >= 1, "the apply never found host A full");
        var events = await world.EventsAsync(waiting);
        Assert.Single(events, e => e["message"]!.GetValue<string>() == ProvisionSovereignOrchestrator.TofuSlotWaitMessage);
        // Waiting is not failing: no failure or retry notice on the timeline, and the apply's phases ran once.
        Assert.DoesNotContain(events, e => e["level"]!.GetValue<string>() == "error");
        Assert.Single(events, e => e["phase"]!.GetValue<string>() == "tofu-apply");
        Assert.Equal("provisioning", (await world.StateAsync(hung))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task AWipeWhoseHostHasNoFreeSlotDestroysOnAHostAddedLater()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        var applies = Path.Combine(Path.GetDirectoryName(world.Journal)!, "applies.log");
        world.Settings["FAKE_TOFU_APPLIES"] = applies;
        world.Settings["CATALYST_TOFU_MAX_PARALLEL"] = "1";
        world.Settings["CATALYST_WIPE_WAIT"] = "1s";
        var hostB = new Dictionary<string, string?>(world.Settings)
        {
            ["AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval"] = "00:00:00.100",
        };
        // Host A's one slot is held for good by an apply that never finishes.
        world.Settings["FAKE_TOFU_HANG_AFTER_CREATES"] = "0";
        var a = await world.StartAppAsync();
        var holder = await world.CreateDeploymentAsync("slot-holder");
        await Wait.UntilAsync(() => Lines(applies).Any(l => l.Id == holder && l.What == "start"), TimeSpan.FromSeconds(60), "host A's apply to start");
        var wiped = await world.CreateDeploymentAsync("slot-wiped");
        await WaitForMessageAsync(world, wiped, ProvisionSovereignOrchestrator.TofuSlotWaitMessage);

        using (var wipe = await a.Http.PostAsync($"/api/v1/deployments/{wiped}/wipe", null))
            Assert.True(wipe.IsSuccessStatusCode, $"wipe answered {(int)wipe.StatusCode}");
        await WaitForMessageAsync(world, wiped, DecommissionOrchestrator.TofuSlotWaitMessage);
        await using var b = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), hostB);
        await b.WaitHealthyAsync();
        // "wiped" only when tofu destroyed and nothing is left for an operator (FinishWipe).
        await world.WaitForStatusAsync(wiped, "wiped", TimeSpan.FromSeconds(240));

        var hostOf = new Dictionary<string, string> { [$"127.0.0.1:{a.Port}"] = "A", [$"127.0.0.1:{b.Port}"] = "B" };
        Assert.Equal([(wiped, "B", "destroyed")], Lines(applies).Where(l => l.Id == wiped).Select(l => (l.Id, hostOf.GetValueOrDefault(l.Host, l.Host), l.What)));
        var events = await world.EventsAsync(wiped);
        Assert.Single(events, e => e["message"]!.GetValue<string>() == DecommissionOrchestrator.TofuSlotWaitMessage);
        Assert.Single(events, e => e["phase"]!.GetValue<string>() == "tofu-destroy");
        Assert.Equal("provisioning", (await world.StateAsync(holder))["status"]!.GetValue<string>());
    }

    static Task WaitForMessageAsync(ProvisioningWorld world, string id, string message) =>
        Wait.ForAsync(async () => (await world.EventsAsync(id)).Any(e => e["message"]!.GetValue<string>() == message) ? (object)true : null,
            TimeSpan.FromSeconds(90), $"'{message}' on {id}'s timeline");

    static List<(string Id, string Host, string What)> Lines(string path) => File.Exists(path)
        ? File.ReadAllLines(path).Select(l => l.Split(' ')).Select(p => (p[0], p[1], p[2])).ToList()
        : [];
}
