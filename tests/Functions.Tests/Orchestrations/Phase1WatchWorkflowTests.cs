using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Functions.Activities;
using Catalyst.Functions.Orchestrations;
using Microsoft.DurableTask;
using Moq;

namespace Catalyst.Functions.Tests.Orchestrations;

/// <summary>
/// ProvisionSovereign's watch generation with a mocked context (DESIGN §8): it registers the watch, then only waits — for
/// the conclusion event, or a timer whose check collects one — and asks for the handover right after it records "ready".
/// </summary>
public class Phase1WatchWorkflowTests
{
    const string Id = "0123456789abcdef";
    const int Run = 3;

    sealed class World
    {
        public readonly Mock<TaskOrchestrationContext> Context = new();
        public readonly List<string> Calls = [];
        public readonly Queue<WatchConclusion> Raised = new();
        public readonly TaskCompletionSource Timer = new();
        public WatchConclusion? Checked;
        public DateTime Now = new(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc);

        public World()
        {
            Context.Setup(c => c.CurrentUtcDateTime).Returns(() => Now);
            Context.Setup(c => c.WaitForExternalEvent<WatchConclusion>(TaskNames.WatchConcludedEvent, It.IsAny<CancellationToken>()))
                .Returns(() => Raised.TryDequeue(out var next) ? Task.FromResult(next) : new TaskCompletionSource<WatchConclusion>().Task);
            Context.Setup(c => c.CreateTimer(It.IsAny<DateTime>(), It.IsAny<CancellationToken>()))
                .Callback<DateTime, CancellationToken>((at, _) => Calls.Add($"timer:{(at - Now).TotalMinutes}m"))
                .Returns(() => Timer.Task);
            Context.Setup(c => c.CallActivityAsync<WatchConclusion?>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
                .Callback<TaskName, object?, TaskOptions?>((name, input, _) =>
                    Calls.Add($"{name.Name}:timedOut={((WatchCheck)input!).TimedOut}"))
                .ReturnsAsync(() => Checked);
            Context.Setup(c => c.CallActivityAsync<bool>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
                .Callback<TaskName, object?, TaskOptions?>((name, input, _) => Calls.Add(input switch
                {
                    ProgressUpdate p => $"{name.Name}:{p.Step}",
                    HandoverInput h => $"{name.Name}:{h.DeploymentId}/{h.Run}",
                    _ => name.Name,
                }))
                .ReturnsAsync(true);
        }

        public Task<string> RunAsync() => new ProvisionSovereignOrchestrator().RunAsync(Context.Object, new ProvisionInput(Id, Run, TimeSpan.FromMinutes(15),
            new WatchSettings(TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(15), 1, TimeSpan.FromMinutes(5)), Pool: null,
            Watching: new WatchState { StartedAt = Now }));
    }

    [Fact]
    public async Task ReadyThenMintHandover()
    {
        var world = new World();
        world.Raised.Enqueue(new WatchConclusion(Run, WatchOutcomes.Ready, DeploymentStatuses.Ready, null));
        Assert.Equal(DeploymentStatuses.Ready, await world.RunAsync());
        Assert.Equal(["BeginWatch", "timer:5m", "EndWatch", "RecordProgress:ready", "MintHandover:0123456789abcdef/3"], world.Calls);
    }

    [Fact]
    public async Task AFailedWatchMintsNothing()
    {
        var world = new World();
        world.Raised.Enqueue(new WatchConclusion(Run, WatchOutcomes.Failed, DeploymentStatuses.Failed, WatchOutcomes.FailedMessage(1)));
        Assert.Equal(DeploymentStatuses.Failed, await world.RunAsync());
        Assert.Contains("RecordProgress:failed", world.Calls);
        Assert.DoesNotContain(world.Calls, c => c.StartsWith("MintHandover", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnEarlierRunsConclusionIsNotThisRunsOutcome()
    {
        var world = new World();
        world.Raised.Enqueue(new WatchConclusion(Run - 1, WatchOutcomes.Failed, DeploymentStatuses.Failed, "stale"));
        world.Raised.Enqueue(new WatchConclusion(Run, WatchOutcomes.Ready, DeploymentStatuses.Ready, null));
        Assert.Equal(DeploymentStatuses.Ready, await world.RunAsync());
        Assert.DoesNotContain("RecordProgress:failed", world.Calls);
    }

    [Fact]
    public async Task TheCheckInCollectsAConclusionWhoseEventWasLost()
    {
        var world = new World { Checked = new WatchConclusion(Run, WatchOutcomes.Ready, DeploymentStatuses.Ready, null) };
        world.Timer.SetResult();
        Assert.Equal(DeploymentStatuses.Ready, await world.RunAsync());
        Assert.Equal(["BeginWatch", "timer:5m", "CheckWatch:timedOut=False", "EndWatch", "RecordProgress:ready", "MintHandover:0123456789abcdef/3"], world.Calls);
    }

    [Fact]
    public async Task TheDeadlineConcludesWithWhatTheWatchHasSeen()
    {
        var world = new World { Checked = new WatchConclusion(Run, WatchOutcomes.FluxNotReconciling, DeploymentStatuses.Failed, WatchOutcomes.FluxNotReconcilingMessage) };
        world.Now += TimeSpan.FromMinutes(61); // the timer fires at the deadline: the check is told it timed out
        world.Timer.SetResult();
        var input = new ProvisionInput(Id, Run, TimeSpan.FromMinutes(15), new WatchSettings(TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(15), 1, TimeSpan.FromMinutes(5)),
            Pool: null, Watching: new WatchState { StartedAt = world.Now - TimeSpan.FromMinutes(61) });
        Assert.Equal(DeploymentStatuses.Failed, await new ProvisionSovereignOrchestrator().RunAsync(world.Context.Object, input));
        Assert.Contains("CheckWatch:timedOut=True", world.Calls);
        Assert.Contains("RecordProgress:failed", world.Calls);
    }

    [Fact]
    public async Task TheSameConclusionRaisedByTwoReplicasEndsTheWorkflowOnce()
    {
        var world = new World();
        var ready = new WatchConclusion(Run, WatchOutcomes.Ready, DeploymentStatuses.Ready, null);
        world.Raised.Enqueue(ready);
        world.Raised.Enqueue(ready);
        Assert.Equal(DeploymentStatuses.Ready, await world.RunAsync());
        Assert.Single(world.Calls, "EndWatch");
        Assert.Single(world.Calls, "RecordProgress:ready");
        Assert.Single(world.Calls, c => c.StartsWith("MintHandover", StringComparison.Ordinal));
    }
}
