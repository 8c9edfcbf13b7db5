using System.Text.Json.Serialization;
using Catalyst.Domain.Flux;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Domain.Deployments;

/// <summary>A job of the original's jobs surface (#205), derived
/// from the timeline: one per phase and per component.</summary>
public sealed record Job(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("deploymentId")] string DeploymentId,
    [property: JsonPropertyName("jobName")] string JobName,
    [property: JsonPropertyName("appId")] string AppId,
    [property: JsonPropertyName("batchId")] string BatchId,
    [property: JsonPropertyName("dependsOn")] IReadOnlyList<string> DependsOn,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("startedAt"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? StartedAt,
    [property: JsonPropertyName("finishedAt"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? FinishedAt,
    [property: JsonPropertyName("durationMs")] long DurationMs,
    [property: JsonPropertyName("latestExecutionId"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LatestExecutionId);

/// <summary>One run's attempt at a job.</summary>
public sealed record JobExecution(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("deploymentId")] string DeploymentId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("startedAt")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("finishedAt"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? FinishedAt,
    [property: JsonPropertyName("lineCount")] int LineCount);

public sealed record JobLogLine(
    [property: JsonPropertyName("lineNumber")] int LineNumber,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("message")] string Message);

public sealed record JobLogPage(
    [property: JsonPropertyName("lines")] IReadOnlyList<JobLogLine> Lines,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("executionFinished")] bool ExecutionFinished);

public sealed record BatchSummary(
    [property: JsonPropertyName("batchId")] string BatchId,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("finished")] int Finished,
    [property: JsonPropertyName("succeeded")] int Succeeded,
    [property: JsonPropertyName("failed")] int Failed,
    [property: JsonPropertyName("running")] int Running,
    [property: JsonPropertyName("pending")] int Pending);

/// <summary>
/// The original's jobs surface computed from a deployment's own record and timeline, with no store of its own. Jobs:
/// one per workflow phase (batch <c>provisioning</c>, job name = the phase: <c>tofu</c>, <c>dns</c>,
/// <c>flux-bootstrap</c>, <c>phase1</c>) and one per component (batch <c>bootstrap-kit</c>, job name
/// <c>install-&lt;component&gt;</c>, as the original's helmwatch bridge named them). Executions are per run: id
/// <c>{deploymentId}:{jobName}:{run}</c>, so the id alone names whose deployment it is (the logs route checks that
/// deployment's owner).
/// </summary>
public static class JobsView
{
    public const string ProvisioningBatch = "provisioning";
    public const string BootstrapKitBatch = "bootstrap-kit";
    public const string InstallPrefix = "install-";
    public const int DefaultLogPageSize = 500, MaxLogPageSize = 5000;
    const string Pending = "pending", Running = "running", Succeeded = "succeeded", Failed = "failed";

    /// <summary>Timeline phases that are not jobs: audit lines, and
    /// the component events (they make component jobs).</summary>
    static readonly HashSet<string> NotJobs = [Phases.Audit, Phases.Component, Phases.ComponentLog,
        Phases.ClusterCache];

    sealed record Attempt(string JobName, string AppId, string Batch, int Run, List<DeploymentEvent> Events);

    public static string ExecutionId(string deploymentId, string jobName, int run) => $"{deploymentId}:{jobName}:{run}";

    /// <summary>The deployment id an execution id names, or null when it is not one of ours.</summary>
    public static string? DeploymentOf(string executionId) =>
        executionId.Split(':') is [var id, { Length: > 0 }, var run] && int.TryParse(run, out _)
            && DeploymentId.IsValid(id) ? id : null;

    static List<Attempt> Attempts(DeploymentRecord record, IReadOnlyList<DeploymentEvent> events)
    {
        var attempts = new Dictionary<(string, int), Attempt>();
        foreach (var e in events)
        {
            string jobName, appId, batch;
            if (e.Component is { Length: > 0 } component && e.Phase == Phases.Component)
            {
                var name = component.StartsWith(ComponentStates.BlueprintPrefix, StringComparison.Ordinal)
                    ? component[ComponentStates.BlueprintPrefix.Length..] : component;
                (jobName, appId, batch) = (InstallPrefix + name, name, BootstrapKitBatch);
            }
            else if (!NotJobs.Contains(e.Phase) && e.Component is null)
                (jobName, appId, batch) = (e.Phase, e.Phase, ProvisioningBatch);
            else continue;
            var run = RunOf(e, record);
            if (!attempts.TryGetValue((jobName, run), out var attempt))
                attempts[(jobName, run)] = attempt = new Attempt(jobName, appId, batch, run, []);
            attempt.Events.Add(e);
        }
        return attempts.Values.ToList();
    }

    /// <summary>The run an event belongs to: its key is <c>{id}:{run}:…</c> for workflow and watch events.</summary>
    static int RunOf(DeploymentEvent e, DeploymentRecord record) =>
        EventKeys.RunOf(e.Key) ?? record.Run;

    static string StatusOf(Attempt attempt, DeploymentRecord record)
    {

        if (attempt.Batch == BootstrapKitBatch)
            return attempt.Events.LastOrDefault(e => e.State is not null)?.State switch
            {
                ComponentStates.Installed => Succeeded,
                ComponentStates.Failed => Failed,
                ComponentStates.Pending or null => Pending,
                _ => record.Run == attempt.Run && !DeploymentStatuses.IsDone(record.Status) ? Running : Failed,
            };
        if (attempt.Events.Any(e => e.Level == EventLevels.Error)) return Failed;
        if (record.Run == attempt.Run && record.Phase == attempt.JobName && !DeploymentStatuses.IsDone(record.Status))
            return Running;
        return record.Run != attempt.Run && record.Phase == attempt.JobName ? Failed : Succeeded;
    }

    static bool Terminal(string status) => status is Succeeded or Failed;

    static JobExecution Execution(DeploymentRecord record, Attempt attempt)
    {
        var status = StatusOf(attempt, record);
        return new JobExecution(ExecutionId(record.Id, attempt.JobName, attempt.Run), $"{record.Id}:{attempt.JobName}",
            record.Id, status,
            attempt.Events[0].Time, Terminal(status) ? attempt.Events[^1].Time : null, attempt.Events.Count);
    }

    public static IReadOnlyList<Job> Jobs(DeploymentRecord record, IReadOnlyList<DeploymentEvent> events) =>
        Attempts(record, events).GroupBy(a => a.JobName).Select(g =>
        {
            var latest = g.MaxBy(a => a.Run)!;
            var execution = Execution(record, latest);
            var started = g.Min(a => a.Events[0].Time);
            var finished = execution.FinishedAt;
            return new Job($"{record.Id}:{g.Key}", record.Id, g.Key, latest.AppId, latest.Batch, [], execution.Status,
                started, finished,
                (long)((finished ?? started) - started).TotalMilliseconds, execution.Id);
        }).OrderBy(j => j.StartedAt).ThenBy(j => j.JobName, StringComparer.Ordinal).ToList();

    /// <summary>A job and its executions (oldest first), or null when the deployment has no such job.</summary>
    public static (Job Job, IReadOnlyList<JobExecution> Executions)? Job(DeploymentRecord record,
        IReadOnlyList<DeploymentEvent> events, string jobId)
    {
        var job = Jobs(record, events).FirstOrDefault(j => j.Id == jobId || j.JobName == jobId);
        if (job is null) return null;
        return (job, Attempts(record, events).Where(a => a.JobName == job.JobName).OrderBy(a => a.Run)
            .Select(a => Execution(record, a)).ToList());
    }

    public static IReadOnlyList<BatchSummary> Batches(DeploymentRecord record, IReadOnlyList<DeploymentEvent> events) =>
        Jobs(record, events).GroupBy(j => j.BatchId).Select(g => new BatchSummary(g.Key, g.Count(),
            g.Count(j => Terminal(j.Status)), g.Count(j => j.Status == Succeeded), g.Count(j => j.Status == Failed),
            g.Count(j => j.Status == Running), g.Count(j => j.Status == Pending))).ToList();

    /// <summary>A window of an execution's lines (1-based <paramref name="fromLine"/>),
    /// or null when there is no such execution.</summary>
    public static JobLogPage? Logs(DeploymentRecord record, IReadOnlyList<DeploymentEvent> events, string executionId,
        int fromLine, int limit)
    {
        var attempt = Attempts(record, events)
            .FirstOrDefault(a => ExecutionId(record.Id, a.JobName, a.Run) == executionId);
        if (attempt is null) return null;
        fromLine = Math.Max(fromLine, 1);
        limit = limit <= 0 ? DefaultLogPageSize : Math.Min(limit, MaxLogPageSize);
        var lines =
            attempt.Events.Select((e, i) => new JobLogLine(i + 1, e.Time, e.Level.ToUpperInvariant(), e.Message))
            .Skip(fromLine - 1).Take(limit).ToList();
        return new JobLogPage(lines, attempt.Events.Count, Terminal(StatusOf(attempt, record)));
    }
}
