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
public sealed class RecordProgressActivity(DeploymentStore store, EventLog events, TimeProvider time) : TaskActivity<ProgressUpdate, bool>
{
    [Function(TaskNames.RecordProgress)]
    public Task<bool> Run([ActivityTrigger] ProgressUpdate update) => RunAsync(null!, update);

    public override async Task<bool> RunAsync(TaskActivityContext context, ProgressUpdate update)
    {
        if (ActivityFaults.BeforeRecordProgress is { } fault) await fault(update);
        var now = time.GetUtcNow();
        var applies = false; // as decided on the record last read: the store re-applies the change when another writer came first
        DeploymentRecord? before = null;
        var record = await store.UpdateAsync(update.DeploymentId, r =>
        {
            var next = update.ApplyTo(r, now);
            applies = next is not null;
            before = r;
            return next;
        });
        if (record is null || !applies) return false;
        Catalyst.Domain.Metrics.CatalystMetrics.Progressed(before!, record, update, now);
        await events.AppendAsync(update.DeploymentId, [update.ToEvent(now)], CancellationToken.None);
        return true;
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
