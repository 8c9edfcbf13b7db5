using Catalyst.Domain.ClusterCache;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Timers;

/// <summary>
/// Deletes cluster-cache snapshots older than <c>CATALYST_K8SCACHE_SNAPSHOT_MAX_AGE</c> (default 1h): they would be
/// ignored at hydrate anyway, and those of clusters no replica caches any more would stay forever. Safe on every
/// replica at once: deleting a deleted blob is a no-op.
/// </summary>
public sealed class PruneSnapshotsFunction(SnapshotStore snapshots, ClusterCacheOptions options, TimeProvider time,
    ILogger<PruneSnapshotsFunction> log)
{
    [Function(nameof(PruneSnapshots))]
    public async Task PruneSnapshots([TimerTrigger("0 */10 * * * *")] TimerInfo timer,
        CancellationToken cancellationToken)
    {
        var deleted = await snapshots.PruneAsync(options.SnapshotMaxAge, time.GetUtcNow(), cancellationToken);
        if (deleted.Count > 0)
            log.LogInformation("Pruned {Count} cluster-cache snapshots older than {MaxAge}: {Names}", deleted.Count,
                options.SnapshotMaxAge, string.Join(", ", deleted));
    }
}
