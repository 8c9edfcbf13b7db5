using Catalyst.Domain.Deployments;
using Catalyst.Domain.Metrics;

namespace Catalyst.Domain.Store;

/// <summary>
/// Writes a step to the record and the timeline: what the workflow's RecordProgress activity does, and what the
/// Phase-1 watch does from outside the workflow. Safe to repeat: the record write is the same every time and the event
/// is keyed by run and step, so it is appended once.
/// </summary>
public sealed class ProgressRecorder(DeploymentStore store, EventLog events, TimeProvider time)
{
    /// <summary>True when the step applied to the record (the run matched
    /// and the record accepts it) and went on the timeline.</summary>
    public async Task<bool> RecordAsync(ProgressUpdate update, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        // as decided on the record last read: the store re-applies the change when another writer came first
        var applies = false;
        DeploymentRecord? before = null;
        var record = await store.UpdateAsync(update.DeploymentId, r =>
        {
            var next = update.ApplyTo(r, now);
            applies = next is not null;
            before = r;
            return next;
        }, cancellationToken);
        if (record is null || !applies) return false;
        CatalystMetrics.Progressed(before!, record, update, now);
        await events.AppendAsync(update.DeploymentId, [update.ToEvent(now)], CancellationToken.None);
        return true;
    }
}
