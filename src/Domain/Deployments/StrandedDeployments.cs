namespace Catalyst.Domain.Deployments;

/// <summary>
/// A deployment whose POST died after it wrote the record but before it started the workflow: accepted, shown as
/// queued, and nobody working on it. A retried POST with the same Idempotency-Key starts it at once; for clients that
/// do not retry, the ResumeStranded timer does, once the record has sat queued longer than a POST could take.
/// </summary>
public static class StrandedDeployments
{
    public static readonly TimeSpan QueuedLongerThan = TimeSpan.FromMinutes(1);

    /// <summary>Worth asking the engine about: still at birth (first run, queued) well after it was written.</summary>
    public static bool MayBeStranded(DeploymentRecord record, DateTimeOffset now) =>
        record.Status == DeploymentStatuses.Provisioning && record.Step == "queued" && record.Run <= 1
        && now - record.UpdatedAt > QueuedLongerThan;
}
