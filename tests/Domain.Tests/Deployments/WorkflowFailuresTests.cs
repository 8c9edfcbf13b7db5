using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tests.Deployments;

public class WorkflowFailuresTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    static DeploymentRecord Record(string status) => new()
    {
        Id = "0123456789abcdef", Status = status, Phase = "dns", Step = "dns-publish",
        Request = TestRequests.Valid().Redacted(), StartedAt = Now, UpdatedAt = Now, KubeconfigBearerHash = "hash",
    };

    [Fact]
    public void AFailedActivityIsFiledUnderItsPhaseForTheOperatorInOneBoundedLine()
    {
        var (error, failure) = WorkflowFailures.Describe("dns", new WorkflowFailures.Cause("RecordProgress", "Azure.RequestFailedException",
            "Service request failed.\nStatus: 503 (Server Busy)\nHeaders: ..." + new string('x', 1000)));
        Assert.Equal(new DeploymentFailure(WorkflowFailures.WorkflowFailed, "dns", Actors.Operator, "RecordProgress: Azure.RequestFailedException"), failure);
        Assert.StartsWith("Workflow failed in dns: step RecordProgress failed after every retry (Azure.RequestFailedException: Service request failed.)", error);
        Assert.DoesNotContain("Headers", error);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void AWorkflowFailureOnlyAppliesWhileTheRunIsUnderWay()
    {
        var update = new ProgressUpdate
        {
            DeploymentId = "0123456789abcdef", Run = 1, Key = "k", Phase = "dns", Step = "failed", Progress = 100, Message = "m",
            Status = DeploymentStatuses.Failed, OnlyWhile = [DeploymentStatuses.Provisioning, DeploymentStatuses.Phase1Watching],
        };
        Assert.Equal(DeploymentStatuses.Failed, update.ApplyTo(Record(DeploymentStatuses.Provisioning), Now)!.Status);
        Assert.Equal(DeploymentStatuses.Failed, update.ApplyTo(Record(DeploymentStatuses.Phase1Watching), Now)!.Status);
        Assert.Null(update.ApplyTo(Record(DeploymentStatuses.Ready), Now));
        Assert.Null(update.ApplyTo(Record(DeploymentStatuses.Wiping), Now));
        // Without the guard a step applies whatever the status (the workflow's own steps).
        Assert.NotNull((update with { OnlyWhile = null }).ApplyTo(Record(DeploymentStatuses.Ready), Now));
    }
}
