namespace Catalyst.Domain.Deployments;

/// <summary>
/// A run whose request died after it wrote the record but before it started the workflow: the record says a run is
/// starting (a create or a retry: phase queued; a late kubeconfig: watch restarted) and nobody works on it. A retried
/// create with the same Idempotency-Key starts it at once; otherwise the ResumeStranded timer does, once the record
/// has said so for longer than a request could take and the engine has no running workflow for the deployment.
/// </summary>
public static class StrandedDeployments
{
    public static readonly TimeSpan StartingLongerThan = TimeSpan.FromMinutes(1);

    /// <summary>Worth asking the engine about: a run that should have started well before <paramref name="now"/>.</summary>
    public static bool MayBeStranded(DeploymentRecord record, DateTimeOffset now) =>
        now - record.UpdatedAt > StartingLongerThan && IsStartingRun(record);

    /// <summary>The record says a run is starting and no workflow step has written to it since.</summary>
    public static bool IsStartingRun(DeploymentRecord record) => IsQueued(record) || IsRestartedWatch(record);

    /// <summary>How to start the run again: a restarted watch skips Phase 0 (its kubeconfig is in the vault).</summary>
    public static bool KubeconfigAlreadyReceived(DeploymentRecord record) => IsRestartedWatch(record);

    static bool IsQueued(DeploymentRecord record) => record.Status == DeploymentStatuses.Provisioning && record.Phase == "queued";

    static bool IsRestartedWatch(DeploymentRecord record) =>
        record.Status == DeploymentStatuses.Phase1Watching && record.Step == "kubeconfig-received" && record.Run > 1;
}
