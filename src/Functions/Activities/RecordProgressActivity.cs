using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Catalyst.Functions.Activities;

/// <summary>
/// Writes a workflow step to the record and the timeline (orchestrators may not do I/O themselves). Safe to retry: the
/// record write is the same on every attempt and the event is keyed by run and step, so it is appended once.
/// </summary>
public sealed class RecordProgressActivity(DeploymentStore store, EventLog events, TimeProvider time)
    : TaskActivity<ProgressUpdate, bool>
{
    [Function(TaskNames.RecordProgress)]
    public Task<bool> Run([ActivityTrigger] ProgressUpdate update) => RunAsync(null!, update);

    public override async Task<bool> RunAsync(TaskActivityContext context, ProgressUpdate update)
    {
        if (ActivityFaults.BeforeRecordProgress is { } fault) await fault(update);
        return await new ProgressRecorder(store, events, time).RecordAsync(update);
    }
}

/// <summary>
/// A seam for tests only: the test host (tests/TestHost) sets it to inject transient storage faults into the workflow's
/// writes. Production never sets it and pays one null check per step.
/// </summary>
public static class ActivityFaults
{
    public static Func<ProgressUpdate, Task>? BeforeRecordProgress { get; set; }
}
