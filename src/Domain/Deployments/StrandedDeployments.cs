using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// Records that say a run is under way with nobody working on it, and what the ResumeStranded timer does about them.
/// <list type="bullet">
/// <item>A run whose request died after it wrote the record but before it started the workflow: the record says a run
/// is starting (a create or a retry: phase queued; a late kubeconfig: watch restarted) and no workflow of that run
/// exists. A retried create with the same Idempotency-Key starts it at once; otherwise the timer does. Safe: no step of
/// that run has run (tofu starts only after the run has written its first step).</item>
/// <item>A run whose workflow failed, was terminated, or is gone (history purged) while the record still says
/// provisioning, phase1-watching or wiping — the workflow's own failure path could not write (storage down through
/// every retry) or never ran (terminated). The timer records it failed (<see cref="WorkflowFailures.WorkflowLost"/>)
/// rather than restarting it: the run got as far as Phase 0 or beyond, and re-running tofu (or a wipe) is a decision
/// the retry and wipe endpoints leave to a person; a workflow that failed once would fail again on every replica every
/// minute.</item>
/// </list>
/// Both wait until the record has not changed for longer than a request or a step could take.
/// </summary>
public static class StrandedDeployments
{
    public static readonly TimeSpan StartingLongerThan = TimeSpan.FromMinutes(1);

    /// <summary>What the engine says about the deployment's workflow instance.</summary>
    public enum Engine { Active, Completed, Failed, Terminated, Missing }

    /// <param name="Run">The run the instance was started for, when its input says so.</param>
    public sealed record Workflow(Engine Status, int? Run);

    public enum Action { Leave, Start, RecordLost }

    /// <summary>Worth asking the engine about: a run under way that has not written for a while.</summary>
    public static bool MayBeStranded(DeploymentRecord record, DateTimeOffset now) =>
        now - record.UpdatedAt > StartingLongerThan && IsUnderWay(record);

    /// <summary>The record says a workflow works on it (a finished record needs nobody).</summary>
    public static bool IsUnderWay(DeploymentRecord record) =>
        record.Status is DeploymentStatuses.Provisioning or DeploymentStatuses.Phase1Watching
            or DeploymentStatuses.Wiping;

    /// <summary>The instance that works on the record: the wipe has its own (see WipeFunction).</summary>
    public static string InstanceIdOf(DeploymentRecord record) =>
        record.Status == DeploymentStatuses.Wiping ? $"{record.Id}-wipe" : record.Id;

    public static Action Decide(DeploymentRecord record, Workflow workflow, DateTimeOffset now)
    {
        if (!MayBeStranded(record, now) || workflow.Status == Engine.Active) return Action.Leave;
        // A starting run with no workflow of its own: start it. If this run's workflow did start and ended without
        // writing a step, starting it again would loop; record it instead.
        if (IsStartingRun(record) && (workflow.Status == Engine.Missing || workflow.Run is { } run && run < record.Run))
            return Action.Start;
        return Action.RecordLost;
    }

    /// <summary>
    /// The record as the timer files it, or null when it changed since <paramref name="seen"/> was read (another
    /// replica filed it, or a workflow wrote meanwhile): every replica may try at once and only the first writes.
    /// </summary>
    public static DeploymentRecord? RecordLost(DeploymentRecord current, DeploymentRecord seen, Engine engine)
    {
        if (current.Run != seen.Run || current.Status != seen.Status || current.UpdatedAt != seen.UpdatedAt
            || !IsUnderWay(current)) return null;
        var (error, failure) = WorkflowFailures.Lost(current, Describe(engine));
        return current with
        {
            Status = DeploymentStatuses.Failed,
            Step = Steps.Failed,
            Phase = failure.Phase,
            Progress = 100,
            Error = error,
            Failure = failure,
            FinishedAt = current.FinishedAt ?? DateTimeOffset.UtcNow,
        };
    }

    public static string Describe(Engine engine) => engine switch
    {
        Engine.Missing => "gone (no instance in the task hub)",
        Engine.Completed => "completed without recording an outcome",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The record says a run is starting and no workflow step has written to it since.</summary>
    public static bool IsStartingRun(DeploymentRecord record) => IsQueued(record) || IsRestartedWatch(record);

    /// <summary>How to start the run again: a restarted watch skips Phase 0 (its kubeconfig is in the vault).</summary>
    public static bool KubeconfigAlreadyReceived(DeploymentRecord record) => IsRestartedWatch(record);

    static bool IsQueued(DeploymentRecord record) =>
        record.Status == DeploymentStatuses.Provisioning && record.Phase == Phases.Queued;

    static bool IsRestartedWatch(DeploymentRecord record) =>
        record.Status == DeploymentStatuses.Phase1Watching && record.Step == Steps.KubeconfigReceived && record.Run > 1;
}
