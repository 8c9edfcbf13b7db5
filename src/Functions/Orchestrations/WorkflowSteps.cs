using Catalyst.Domain.Deployments;
using Microsoft.DurableTask;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Functions.Orchestrations;

/// <summary>
/// How an orchestration reports a step: custom status for Durable's own view (<c>{phase, step, progress,
/// updatedAt}</c>) and a RecordProgress activity for the record and the timeline, keyed by run and step so a replay or
/// a retried activity writes each step once.
/// </summary>
public sealed class WorkflowSteps(TaskOrchestrationContext context, string deploymentId, int run, string phase)
{
    /// <summary>The phase of the last step reported (replayed the same
    /// way every time): where a workflow failure is filed.</summary>
    public string CurrentPhase { get; private set; } = phase;

    public Task RecordAsync(string phase, string step, int progress, string message, string level = EventLevels.Info,
        string? status = null, DeploymentResult? result = null, string? component = null, string? componentState = null,
        string? keySuffix = null,
        string? outcome = null) =>
        context.CallActivityAsync<bool>(TaskNames.RecordProgress,
            Progress(phase, step, progress, message, level, status, result, component, componentState, keySuffix,
                outcome), ActivityRetries.Default);

    /// <summary>
    /// A Phase-1 watch warning or error: the record stays in <c>phase1</c>, the timeline event has phase
    /// <c>component</c>, as the original's watch emitted them (helmwatch.PhaseComponent), which is where its console
    /// looks for them.
    /// </summary>
    public Task RecordWatchNoticeAsync(string step, int progress, string message, string level) =>
        context.CallActivityAsync<bool>(TaskNames.RecordProgress,
            Progress(Phases.Phase1, step, progress, message, level) with { EventPhase = Phases.Component },
            ActivityRetries.Default);

    /// <summary>The step as custom status now, and the update to record
    /// — by RecordProgress, or folded into the next activity.</summary>
    public ProgressUpdate Progress(string phase, string step, int progress, string message,
        string level = EventLevels.Info,
        string? status = null, DeploymentResult? result = null, string? component = null, string? componentState = null,
        string? keySuffix = null,
        string? outcome = null)
    {
        context.SetCustomStatus(new { phase, step, progress, updatedAt = context.CurrentUtcDateTime });
        CurrentPhase = phase;
        return new ProgressUpdate
        {
            DeploymentId = deploymentId,
            Run = run,
            Key = EventKeys.Step(deploymentId, run, step, keySuffix),
            Phase = phase,
            Step = step,
            Progress = progress,
            Message = message,
            Level = level,
            Status = status,
            Result = result,
            Component = component,
            ComponentState = componentState,
            Outcome = outcome,
        };
    }

    /// <param name="onlyWhile">When set, the failure is recorded only while the record still has one of these statuses
    /// (a workflow failure never turns a ready, wiped or wiping record into a failed one).</param>
    public async Task FailAsync(string phase, string error, DeploymentFailure failure, string? outcome = null,
        DeploymentResult? result = null,
        IReadOnlyList<string>? onlyWhile = null)
    {
        context.SetCustomStatus(new { phase, step = Steps.Failed, progress = 100,
            updatedAt = context.CurrentUtcDateTime });
        CurrentPhase = phase;
        await context.CallActivityAsync<bool>(TaskNames.RecordProgress, new ProgressUpdate
        {
            DeploymentId = deploymentId,
            Run = run,
            Key = EventKeys.Failed(deploymentId, run, phase),
            Phase = phase,
            Step = Steps.Failed,
            Progress = 100,
            Message = error,
            Level = EventLevels.Error,
            Status = DeploymentStatuses.Failed,
            Error = error,
            Failure = failure,
            Result = result,
            Outcome = outcome,
            OnlyWhile = onlyWhile,
        }, ActivityRetries.Default);
    }

    /// <summary>
    /// The top-level failure path: whatever escaped the workflow (an activity that failed through every retry, a bug)
    /// ends the run failed, filed under the phase it was in, for
    /// the operator — never a record left saying it is running.
    /// </summary>
    public async Task FailWorkflowAsync(Exception e, IReadOnlyList<string> onlyWhile)
    {
        var (error, failure) = WorkflowFailures.Describe(CurrentPhase, e is TaskFailedException failed
            ? new WorkflowFailures.Cause(failed.TaskName, failed.FailureDetails.ErrorType,
                failed.FailureDetails.ErrorMessage)
            : new WorkflowFailures.Cause(null, e.GetType().Name, e.Message));
        await FailAsync(CurrentPhase, error, failure, onlyWhile: onlyWhile);
    }
}
