using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// Snapshot writing (reference D.7): once as soon as an informer first syncs, then every interval for each kind that
/// changed. Only content that came from the API is written — a hydrated cache written back would make old data look
/// new — and <c>wrote</c> is when the content was last known current, not when the blob was written.
/// </summary>
public sealed partial class SovereignCache
{
    readonly ConcurrentQueue<KindCache> dueSnapshots = new();
    readonly SemaphoreSlim snapshotSignal = new(0);
    readonly SemaphoreSlim snapshotWrites = new(1, 1);
    Task? snapshotLoop;
    int snapshotsWritten;

    public int SnapshotsWritten => Volatile.Read(ref snapshotsWritten);

    void SnapshotSoon(KindCache cache)
    {
        dueSnapshots.Enqueue(cache);
        snapshotSignal.Release();
    }

    async Task SnapshotLoopAsync(CancellationToken cancellationToken)
    {
        var nextPass = time.GetUtcNow() + options.SnapshotInterval;
        Task? signalled = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                signalled ??= snapshotSignal.WaitAsync(cancellationToken);
                var wait = nextPass - time.GetUtcNow();
                if (wait > TimeSpan.Zero) await Task.WhenAny(signalled, Task.Delay(wait, time, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
                var due = new List<KindCache>();
                if (signalled.IsCompleted)
                {
                    signalled = null;
                    while (dueSnapshots.TryDequeue(out var cache)) due.Add(cache);
                }
                if (time.GetUtcNow() >= nextPass)
                {
                    due.AddRange(clusters.Values.SelectMany(c => c.Caches.Values));
                    nextPass = time.GetUtcNow() + options.SnapshotInterval;
                }
                await WriteSnapshotsAsync(due.Distinct(), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning("Snapshot pass failed: {Why}", e.Message.Split('\n')[0]);
            }
        }
    }

    async Task WriteSnapshotsAsync(IEnumerable<KindCache> caches, CancellationToken cancellationToken)
    {
        foreach (var cache in caches)
        {
            var version = cache.Version;
            // An unchanged kind is rewritten now and then while its watch is live, so its snapshot does not expire
            // (or get pruned) just because nothing happened.
            var refresh = cache.Live && time.GetUtcNow() - cache.WrittenAt > options.SnapshotMaxAge / 2;
            if (!cache.Synced || (version == cache.WrittenVersion && !refresh)) continue;
            await snapshotWrites.WaitAsync(cancellationToken);
            try
            {
                // A cluster removed meanwhile keeps no snapshot: its deletion may have just run.
                if (!clusters.TryGetValue(cache.Cluster, out var cluster) || cluster.Removed
                    || !ReferenceEquals(cluster.Caches.GetValueOrDefault(cache.Kind.Name), cache))
                    continue;
                var now = time.GetUtcNow();
                await snapshots!.WriteAsync(cache.Cluster, cache.Kind.Name, cache.FreshAt(now) ?? now,
                    cache.ResourceVersion, cache.Items, cancellationToken);
                cache.WrittenVersion = version;
                cache.WrittenAt = now;
                Interlocked.Increment(ref snapshotsWritten);
                Metrics.CatalystMetrics.CacheSnapshotWrites.WithLabels(cache.Cluster, cache.Kind.Name).Inc();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("Cluster {Cluster}: {Kind} snapshot not written: {Why}", cache.Cluster, cache.Kind.Name,
                    e.Message.Split('\n')[0]);
            }
            finally
            {
                snapshotWrites.Release();
            }
        }
    }
}
