using Catalyst.Domain.Deployments;
using Catalyst.Functions.Activities;
using Catalyst.Functions.Orchestrations;
using Microsoft.DurableTask;
using Moq;

namespace Catalyst.Functions.Tests.Orchestrations;

/// <summary>
/// The wipe workflow's logic with a mocked orchestration context (as ReadyStepTests does for provisioning): which steps it
/// records, which activities it calls, what lands in the report, and how each failure degrades instead of stopping it.
/// </summary>
public sealed class DecommissionOrchestratorTests
{
    const string Id = "0123456789abcdef";

    sealed class World
    {
        public Mock<TaskOrchestrationContext> Context { get; } = new();
        public List<string> Calls { get; } = [];
        public Func<TofuDestroyResult> Destroy { get; set; } = () => new TofuDestroyResult(true, null);
        public Func<UnpublishDnsResult> Unpublish { get; set; } = () => new UnpublishDnsResult("acme.omani.works", ["A acme", "A *.acme"]);
        public Func<IReadOnlyList<string>> Sweep { get; set; } = () => [];
        public WipeReport? Finished { get; private set; }
        public List<ProgressUpdate> Progress { get; } = [];

        public World()
        {
            Context.Setup(c => c.CurrentUtcDateTime).Returns(DateTime.UtcNow);
            Context.Setup(c => c.CallActivityAsync<bool>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
                .Returns<TaskName, object?, TaskOptions?>((name, input, _) =>
                {
                    Calls.Add(input is ProgressUpdate p ? $"{name.Name}:{p.Step}" : name.Name);
                    if (input is ProgressUpdate update) Progress.Add(update);
                    return Task.FromResult(true);
                });
            Context.Setup(c => c.CallActivityAsync<TofuDestroyResult>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
                .Returns<TaskName, object?, TaskOptions?>((name, _, _) => { Calls.Add(name.Name); return Task.FromResult(Destroy()); });
            Context.Setup(c => c.CallActivityAsync<UnpublishDnsResult>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
                .Returns<TaskName, object?, TaskOptions?>((name, _, _) => { Calls.Add(name.Name); return Task.FromResult(Unpublish()); });
            Context.Setup(c => c.CallActivityAsync<IReadOnlyList<string>>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
                .Returns<TaskName, object?, TaskOptions?>((name, _, _) => { Calls.Add(name.Name); return Task.FromResult(Sweep()); });
            Context.Setup(c => c.CallActivityAsync<WipeReport>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
                .Returns<TaskName, object?, TaskOptions?>((name, input, _) =>
                {
                    Calls.Add(name.Name);
                    Finished = ((FinishWipeInput)input!).Report;
                    return Task.FromResult(Finished);
                });
        }

        public Task<WipeReport> RunAsync(PoolName? pool) => new DecommissionOrchestrator().RunAsync(Context.Object, new WipeInput(Id, 4, pool));
    }

    static TaskFailedException Failed(string task, string message) =>
        new(task, 1, new TaskFailureDetails("System.Exception", message, null, null, null));

    static readonly PoolName Pool = new("omani.works", "acme");

    [Fact]
    public async Task DestroysUnpublishesReleasesSweepsAndFinishesInThatOrder()
    {
        var world = new World { Sweep = () => ["servers/9 (cp-9)"] };
        var report = await world.RunAsync(Pool);

        Assert.Equal(
        [
            "RecordProgress:tofu-destroy", TaskNames.TofuDestroy,
            "RecordProgress:dns-unpublish", DnsActivityNames.UnpublishDns, TaskNames.ReleaseSubdomain,
            "RecordProgress:sweep", TaskNames.SweepLeftovers, TaskNames.FinishWipe,
        ], world.Calls);
        Assert.Same(world.Finished, report);
        Assert.True(report.TofuDestroyed);
        Assert.Null(report.TofuError);
        Assert.Equal(["A acme", "A *.acme"], report.DnsRemoved);
        Assert.True(report.ReservationReleased);
        Assert.Equal(["servers/9 (cp-9)"], report.Leftovers);
        Assert.Equal(["servers/9 (cp-9)"], report.NeedsOperator);
        Assert.All(world.Progress, p => Assert.Equal(4, p.Run));
    }

    [Fact]
    public async Task WithoutAPoolNameThereIsNoDnsToRemove()
    {
        var world = new World();
        var report = await world.RunAsync(pool: null);

        Assert.DoesNotContain(DnsActivityNames.UnpublishDns, world.Calls);
        Assert.DoesNotContain(TaskNames.ReleaseSubdomain, world.Calls);
        Assert.Empty(report.DnsRemoved);
        Assert.False(report.ReservationReleased);
    }

    [Fact]
    public async Task ADestroyThatFailsAfterRetriesIsReportedAndTheWipeGoesOn()
    {
        var world = new World { Destroy = () => throw Failed(TaskNames.TofuDestroy, "hcloud: token invalid") };
        var report = await world.RunAsync(Pool);

        Assert.False(report.TofuDestroyed);
        Assert.Equal("tofu destroy did not complete after retries: hcloud: token invalid", report.TofuError);
        Assert.Contains(TaskNames.FinishWipe, world.Calls);
    }

    [Fact]
    public async Task DnsThatCannotBeRemovedNeedsAnOperatorAndTheWipeGoesOn()
    {
        var world = new World { Unpublish = () => throw Failed(DnsActivityNames.UnpublishDns, "zone changed") };
        var report = await world.RunAsync(Pool);

        Assert.False(report.ReservationReleased);
        Assert.Empty(report.DnsRemoved);
        Assert.Equal(["DNS records of acme.omani.works were not removed: zone changed"], report.NeedsOperator);
        Assert.Contains(TaskNames.FinishWipe, world.Calls);
    }

    /// <summary>A step without its own fallback fails the workflow: the record must not say 'wiping' for ever.</summary>
    [Fact]
    public async Task AnUnexpectedFailureEndsTheRecordFailedAndAsksForAnotherWipe()
    {
        var world = new World { Sweep = () => throw Failed(TaskNames.SweepLeftovers, "hetzner down") };
        var report = await world.RunAsync(Pool);

        Assert.DoesNotContain(TaskNames.FinishWipe, world.Calls);
        var failed = world.Progress.Last();
        Assert.Equal(DeploymentStatuses.Failed, failed.Status);
        Assert.Equal([DeploymentStatuses.Wiping], failed.OnlyWhile);
        Assert.Equal(["the wipe workflow failed in wipe; see the deployment's error and wipe again"], report.NeedsOperator);
    }
}
