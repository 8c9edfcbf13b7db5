using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// How a workflow that ended without deciding its own outcome is recorded: failed, in the phase it was in, for the
/// operator (DESIGN §6). Used by the orchestrators' top-level failure path and by the ResumeStranded timer when it
/// finds a record still saying it is running while its workflow failed, was terminated or is gone.
/// </summary>
public static class WorkflowFailures
{
    /// <summary>Something escaped the workflow: an activity failed through every retry, or the code threw.</summary>
    public const string WorkflowFailed = "workflow-failed";

    /// <summary>The record said a run was under way but the engine had no running workflow for it.</summary>
    public const string WorkflowLost = "workflow-lost";

    const int MaxMessage = 300;

    /// <param name="Task">The activity that failed, when it was one.</param>
    public sealed record Cause(string? Task, string ErrorType, string? Message);

    public static (string Error, DeploymentFailure Failure) Describe(string phase, Cause cause)
    {
        var what = cause.Task is null ? "the workflow" : $"step {cause.Task}";
        var error =
            $"Workflow failed in {phase}: {what} failed{(cause.Task is null ? "" : " after every retry")} " +
            $"({cause.ErrorType}: {FirstLine(cause.Message)}). "
                    + "Operator: check the service log; a failed Phase 0 can be retried (POST " +
                        ".../phases/tofu-apply/retry), anything else can be wiped.";
        return (error, new DeploymentFailure(WorkflowFailed, phase, Actors.Operator,
            cause.Task is null ? cause.ErrorType : $"{cause.Task}: {cause.ErrorType}"));
    }

    /// <summary>The record as the timer files a run whose workflow
    /// is gone (<paramref name="engineStatus"/> says how).</summary>
    public static (string Error, DeploymentFailure Failure) Lost(DeploymentRecord record, string engineStatus)
    {
        var phase = record.Phase is { Length: > 0 } p && p != Phases.Queued ? p : Phases.Tofu;
        var error =
            $"Workflow lost in {phase}: the record said '{record.Status}' (step '{record.Step}') " +
            $"but its workflow is {engineStatus}. "
                    + "Nothing was re-run automatically. Operator: check the service log; " +
                        "a failed Phase 0 can be retried (POST .../phases/tofu-apply/retry), " +
                        "anything else can be wiped.";
        return (error, new DeploymentFailure(WorkflowLost, phase, Actors.Operator, $"workflow {engineStatus}"));
    }

    /// <summary>Messages go into the record and the timeline: one line, bounded (a stack trace or a storage response
    /// dump is the log's business).</summary>
    static string FirstLine(string? message)
    {
        var line = (message ?? "").Split('\n', 2)[0].Trim();
        return line.Length <= MaxMessage ? line : line[..MaxMessage] + "…";
    }
}
