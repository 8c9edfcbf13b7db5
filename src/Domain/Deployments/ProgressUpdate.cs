namespace Catalyst.Domain.Deployments;

/// <summary>
/// One step of the workflow as the record and the timeline see it. Written by the orchestration through an
/// activity; <see cref="Key"/> makes the event idempotent and <see cref="Run"/> keeps a stale run (before a
/// retry) from overwriting the current one.
/// </summary>
public sealed record ProgressUpdate
{
    public required string DeploymentId { get; init; }
    public required int Run { get; init; }
    public required string Key { get; init; }
    public required string Phase { get; init; }
    public required string Step { get; init; }
    public required int Progress { get; init; }
    public required string Message { get; init; }
    public string Level { get; init; } = EventLevels.Info;
    public string? Status { get; init; }
    public DeploymentResult? Result { get; init; }
    public DeploymentFailure? Failure { get; init; }
    public string? Error { get; init; }
    public string? Component { get; init; }
    /// <summary>The timeline event's phase when it is not the record's
    /// (the watch's notices are <c>component</c> events).</summary>
    public string? EventPhase { get; init; }
    public string? ComponentState { get; init; }
    /// <summary>Phase-1 outcome (reference B.7); recorded with the time the watch finished.</summary>
    public string? Outcome { get; init; }
    /// <summary>When set, the step applies only while the record has one of these statuses (a late workflow failure
    /// must not turn a finished or wiping record into a failed one).</summary>
    public IReadOnlyList<string>? OnlyWhile { get; init; }

    /// <summary>The record after this step, or null when the
    /// record belongs to another run or already says so.</summary>
    public DeploymentRecord? ApplyTo(DeploymentRecord record, DateTimeOffset now)
    {
        if (record.Run != Run || OnlyWhile is { } statuses && !statuses.Contains(record.Status)) return null;
        var status = Status ?? record.Status;
        return record with
        {
            Status = status,
            Phase = Phase,
            Step = Step,
            Progress = Math.Max(Progress, status == record.Status ? record.Progress : 0),
            Result = WithOutcome(Merge(record.Result, Result), now),
            Failure = Failure ?? (Status is null ? record.Failure : null),
            Error = Error ?? (Status is null ? record.Error : null),
            FinishedAt = DeploymentStatuses.IsDone(status) ? record.FinishedAt ?? now : null,
        };
    }

    /// <summary>A step's result adds to what other writers (the
    /// kubeconfig postback, the watch) already recorded.</summary>
    static DeploymentResult? Merge(DeploymentResult? current, DeploymentResult? update) =>
        update is null ? current : current is null ? update : update with
    {
        KubeconfigReceivedAt = update.KubeconfigReceivedAt ?? current.KubeconfigReceivedAt,
        ComponentStates = update.ComponentStates ?? current.ComponentStates,
        Phase1Outcome = update.Phase1Outcome ?? current.Phase1Outcome,
        Phase1FinishedAt = update.Phase1FinishedAt ?? current.Phase1FinishedAt,
    };

    DeploymentResult? WithOutcome(DeploymentResult? result, DateTimeOffset now) =>
        Outcome is null ? result
            : (result ?? new DeploymentResult()) with { Phase1Outcome = Outcome, Phase1FinishedAt = now };

    public DeploymentEvent ToEvent(DateTimeOffset now) => new()
    {
        Key = Key,
        Time = now,
        Phase = EventPhase ?? Phase,
        Level = Level,
        Message = Message,
        Component = Component,
        State = ComponentState,
    };
}
