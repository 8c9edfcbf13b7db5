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
        Assert.False(StrandedDeployments.MayBeStranded(restarted with { Run = 1 }, Now));
    }

    [Fact]
    public void ARunUnderWayOrFinishedIsNot()
    {
        var old = Queued(TimeSpan.FromMinutes(3));
        Assert.False(StrandedDeployments.MayBeStranded(old with { Step = "tofu-start", Phase = "tofu" }, Now));
        Assert.False(StrandedDeployments.MayBeStranded(old with { Status = DeploymentStatuses.Failed }, Now));
        Assert.False(StrandedDeployments.MayBeStranded(old with { Status = DeploymentStatuses.Ready, Phase = "phase1", Step = "ready" }, Now));
    }
}
