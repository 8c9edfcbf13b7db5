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
    public void ARecordQueuedForMinutesMayBeStranded() => Assert.True(StrandedDeployments.MayBeStranded(Queued(TimeSpan.FromMinutes(3)), Now));

    [Fact]
    public void OnlyTheFirstRunAtBirthCounts()
    {
        var old = Queued(TimeSpan.FromMinutes(3));
        Assert.False(StrandedDeployments.MayBeStranded(old with { Step = "tofu-start", Phase = "tofu" }, Now));
        Assert.False(StrandedDeployments.MayBeStranded(old with { Status = DeploymentStatuses.Failed }, Now));
        Assert.False(StrandedDeployments.MayBeStranded(old with { Run = 2 }, Now)); // a retry: its old workflow exists
    }
}
