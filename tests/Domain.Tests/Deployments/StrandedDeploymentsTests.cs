using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tests.Deployments;

public class StrandedDeploymentsTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    static DeploymentRecord Queued(TimeSpan age) => new()
    {
        Id = "0123456789abcdef", Status = DeploymentStatuses.Provisioning, Phase = "queued", Step = "queued",
        Request = TestRequests.Valid().Redacted(), StartedAt = Now - age, UpdatedAt = Now - age, KubeconfigBearerHash = "hash",
    };

    [Fact]
    public void AFreshlyQueuedRecordIsLeftToItsRequest() => Assert.False(StrandedDeployments.MayBeStranded(Queued(TimeSpan.FromSeconds(20)), Now));

    [Fact]
    public void ACreateOrARetryQueuedForMinutesMayBeStranded()
    {
        Assert.True(StrandedDeployments.MayBeStranded(Queued(TimeSpan.FromMinutes(3)), Now));
        var retry = Queued(TimeSpan.FromMinutes(3)) with { Run = 2, Step = "tofu" };
        Assert.True(StrandedDeployments.MayBeStranded(retry, Now));
        Assert.False(StrandedDeployments.KubeconfigAlreadyReceived(retry));
    }

    [Fact]
    public void ALateKubeconfigRestartMayBeStrandedAndSkipsPhaseZero()
    {
        var restarted = Queued(TimeSpan.FromMinutes(3)) with { Run = 2, Status = DeploymentStatuses.Phase1Watching, Phase = "phase1", Step = "kubeconfig-received" };
        Assert.True(StrandedDeployments.MayBeStranded(restarted, Now));
        Assert.True(StrandedDeployments.KubeconfigAlreadyReceived(restarted));
        // The first run's own watch says the same for an hour; its workflow is running, and run 1 is never a restart.
        Assert.False(StrandedDeployments.IsStartingRun(restarted with { Run = 1 }));
        Assert.Equal(StrandedDeployments.Action.Leave, StrandedDeployments.Decide(restarted with { Run = 1 }, Running, Now));
    }

    [Fact]
    public void AFinishedRunIsNeverStranded()
    {
        var old = Queued(TimeSpan.FromMinutes(3));
        foreach (var status in new[] { DeploymentStatuses.Failed, DeploymentStatuses.Ready, DeploymentStatuses.Wiped, DeploymentStatuses.Adopted })
        {
            Assert.False(StrandedDeployments.MayBeStranded(old with { Status = status }, Now));
            Assert.Equal(StrandedDeployments.Action.Leave, StrandedDeployments.Decide(old with { Status = status }, Gone, Now));
        }
    }

    static readonly StrandedDeployments.Workflow Gone = new(StrandedDeployments.Engine.Missing, null);
    static readonly StrandedDeployments.Workflow Running = new(StrandedDeployments.Engine.Active, null);

    [Fact]
    public void ARunWhoseWorkflowIsRunningIsLeftAloneHoweverOld()
    {
        var old = Queued(TimeSpan.FromHours(3));
        Assert.Equal(StrandedDeployments.Action.Leave, StrandedDeployments.Decide(old, Running, Now));
        Assert.Equal(StrandedDeployments.Action.Leave, StrandedDeployments.Decide(old with { Phase = "phase1", Step = "kubeconfig-wait", Status = DeploymentStatuses.Phase1Watching }, Running, Now));
        Assert.Equal(StrandedDeployments.Action.Leave, StrandedDeployments.Decide(old with { Status = DeploymentStatuses.Wiping, Phase = "wipe" }, Running, Now));
    }

    [Fact]
    public void AStartingRunWithNoWorkflowOfItsOwnIsStarted()
    {
        var queued = Queued(TimeSpan.FromMinutes(3));
        Assert.Equal(StrandedDeployments.Action.Start, StrandedDeployments.Decide(queued, Gone, Now));
        // A retry (run 2) whose request died: the instance there is run 1's, finished.
        var retry = queued with { Run = 2, Step = "tofu-apply" };
        Assert.Equal(StrandedDeployments.Action.Start, StrandedDeployments.Decide(retry, new(StrandedDeployments.Engine.Failed, 1), Now));
        Assert.Equal(StrandedDeployments.Action.Start, StrandedDeployments.Decide(retry, new(StrandedDeployments.Engine.Completed, 1), Now));
        // Not before a request could have finished starting it.
        Assert.Equal(StrandedDeployments.Action.Leave, StrandedDeployments.Decide(Queued(TimeSpan.FromSeconds(20)), Gone, Now));
    }

    [Fact]
    public void AStartingRunWhoseOwnWorkflowEndedIsRecordedNotRestarted()
    {
        // Its workflow started and failed before writing a step (even its failure): starting it again would loop.
        var queued = Queued(TimeSpan.FromMinutes(3));
        Assert.Equal(StrandedDeployments.Action.RecordLost, StrandedDeployments.Decide(queued, new(StrandedDeployments.Engine.Failed, 1), Now));
        Assert.Equal(StrandedDeployments.Action.RecordLost, StrandedDeployments.Decide(queued, new(StrandedDeployments.Engine.Terminated, null), Now));
    }

    [Theory]
    [InlineData(DeploymentStatuses.Provisioning, "tofu", "tofu-start")]
    [InlineData(DeploymentStatuses.Phase1Watching, "phase1", "kubeconfig-wait")]
    [InlineData(DeploymentStatuses.Wiping, "wipe", "tofu-destroy")]
    [InlineData(DeploymentStatuses.Wiping, "wipe", "queued")]
    public void ARunUnderWayWhoseWorkflowFailedWasTerminatedOrVanishedIsRecordedFailed(string status, string phase, string step)
    {
        var record = Queued(TimeSpan.FromMinutes(3)) with { Status = status, Phase = phase, Step = step };
        foreach (var engine in new[] { StrandedDeployments.Engine.Failed, StrandedDeployments.Engine.Terminated, StrandedDeployments.Engine.Missing, StrandedDeployments.Engine.Completed })
            Assert.Equal(StrandedDeployments.Action.RecordLost, StrandedDeployments.Decide(record, new(engine, 1), Now));

        var filed = StrandedDeployments.RecordLost(record, record, StrandedDeployments.Engine.Terminated)!;
        Assert.Equal(DeploymentStatuses.Failed, filed.Status);
        Assert.Equal(new DeploymentFailure(WorkflowFailures.WorkflowLost, phase, Actors.Operator, "workflow terminated"), filed.Failure);
        Assert.Contains("terminated", filed.Error);
        Assert.NotNull(filed.FinishedAt);
        Assert.False(StrandedDeployments.IsUnderWay(filed));
    }

    [Fact]
    public void OnlyTheReplicaThatSeesTheJudgedRecordFilesIt()
    {
        var seen = Queued(TimeSpan.FromMinutes(3)) with { Phase = "tofu", Step = "tofu-start" };
        Assert.NotNull(StrandedDeployments.RecordLost(seen, seen, StrandedDeployments.Engine.Failed));
        var filed = StrandedDeployments.RecordLost(seen, seen, StrandedDeployments.Engine.Failed)!;
        // Another replica already filed it, a workflow wrote a step meanwhile, or a retry started run 2: leave it.
        Assert.Null(StrandedDeployments.RecordLost(filed, seen, StrandedDeployments.Engine.Failed));
        Assert.Null(StrandedDeployments.RecordLost(seen with { UpdatedAt = Now }, seen, StrandedDeployments.Engine.Failed));
        Assert.Null(StrandedDeployments.RecordLost(seen with { Run = 2, Phase = "queued" }, seen, StrandedDeployments.Engine.Failed));
    }

    [Fact]
    public void TheWipeHasItsOwnInstance()
    {
        var record = Queued(TimeSpan.FromMinutes(3));
        Assert.Equal(record.Id, StrandedDeployments.InstanceIdOf(record));
        Assert.Equal($"{record.Id}-wipe", StrandedDeployments.InstanceIdOf(record with { Status = DeploymentStatuses.Wiping }));
    }
}
