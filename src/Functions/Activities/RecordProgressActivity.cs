using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Catalyst.Functions.Activities;

/// <summary>Writes a workflow step to the record and the timeline (orchestrators may not do I/O themselves).</summary>
public sealed class RecordProgressActivity(DeploymentStore store, EventLog events, TimeProvider time) : TaskActivity<ProgressUpdate, bool>
{
    [Function(TaskNames.RecordProgress)]
    public Task<bool> Run([ActivityTrigger] ProgressUpdate update) => RunAsync(null!, update);

    public override async Task<bool> RunAsync(TaskActivityContext context, ProgressUpdate update)
    {
        var now = time.GetUtcNow();
        var record = await store.UpdateAsync(update.DeploymentId, r => update.ApplyTo(r, now));
        if (record is null || record.Run != update.Run) return false;
        await events.AppendAsync(update.DeploymentId, [update.ToEvent(now)], CancellationToken.None);
        return true;
    }
}
