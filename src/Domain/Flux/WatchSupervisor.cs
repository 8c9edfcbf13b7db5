using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;

namespace Catalyst.Domain.Flux;

/// <summary>
/// Runs this replica's share of the Phase-1 watch: it holds the leases of the shards it can get, renews them, and keeps
/// one <see cref="SovereignWatch"/> running per registry entry in those shards. A replica that dies stops renewing; its
/// shards pass to another replica one lease later, whose watches re-list and carry on (level-triggered, so nothing is
/// lost or recorded twice). On a graceful stop the leases are released at once.
/// </summary>
public sealed class WatchSupervisor(WatchRegistry registry, WatchSharing sharing,
    Func<string, SovereignWatch> createWatch, TimeProvider time, ILogger log)
{
    sealed record Running(int Shard, CancellationTokenSource Stop, Task Task);
    sealed record Held(BlobLeaseClient Lease, DateTimeOffset RenewedAt);

    /// <summary>A watch that ended by itself while its entry stays (its
    /// conclusion not yet collected) is started again only after this.</summary>
    static readonly TimeSpan RestartAfter = TimeSpan.FromSeconds(30);

    readonly string leaseId = Guid.NewGuid().ToString();
    readonly ConcurrentDictionary<int, Held> held = new();
    readonly ConcurrentDictionary<int, BlobLeaseClient> leases = new();
    readonly ConcurrentDictionary<string, Running> watches = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, DateTimeOffset> ended = new(StringComparer.Ordinal);
    readonly SemaphoreSlim wake = new(0, 1);
    readonly object gate = new();
    CancellationToken stopping;

    /// <summary>The shards whose lease this replica holds, and the
    /// Sovereigns it watches (for tests, metrics and logs).</summary>
    public IReadOnlyCollection<int> HeldShards => held.Keys.Order().ToList();
    public int Watching => watches.Count;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        stopping = cancellationToken;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await ScanAsync(cancellationToken);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    log.LogWarning(e, "Phase-1 watch: a scan of the shards failed; trying again in {Interval}",
                        sharing.ScanInterval);
                }
                try
                {
                    await wake.WaitAsync(sharing.ScanInterval, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            await StopAllAsync();
        }
    }

    /// <summary>
    /// A deployment just entered the watch (its kubeconfig arrived on this replica): watch it now if its shard is ours,
    /// otherwise scan at once so the lease holder's registry listing,
    /// or ours, picks it up without waiting a full interval.
    /// </summary>
    public void Nudge(string deploymentId)
    {
        if (held.ContainsKey(registry.ShardOf(deploymentId)) && !stopping.IsCancellationRequested)
            Start(deploymentId, registry.ShardOf(deploymentId));
        else Wake();
    }

    /// <summary>The workflow took the deployment out of the watch: stop
    /// watching it here now rather than at the next scan.</summary>
    public void Forget(string deploymentId)
    {
        if (watches.TryRemove(deploymentId, out var running)) running.Stop.Cancel();
        ended.TryRemove(deploymentId, out _);
    }

    void Wake()
    {
        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A scan is already due.
        }
    }

    async Task ScanAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        for (var shard = 0; shard < registry.Shards; shard++)
        {
            if (held.TryGetValue(shard, out var mine))
            {
                if (now - mine.RenewedAt < sharing.Lease / 3) continue;
                try
                {
                    await mine.Lease.RenewAsync(cancellationToken: cancellationToken);
                    held[shard] = mine with { RenewedAt = now };
                }
                catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
                {
                    log.LogWarning("Phase-1 watch: lost the lease of shard {Shard} ({Status}); its watches stop here",
                        shard, e.Status);
                    held.TryRemove(shard, out _);
                    StopShard(shard);
                }
                continue;
            }
            if (!leases.TryGetValue(shard, out var lease))
                leases[shard] = lease = await registry.ShardLeaseAsync(shard, leaseId, cancellationToken);
            try
            {
                await lease.AcquireAsync(sharing.Lease, cancellationToken: cancellationToken);
                held[shard] = new Held(lease, now);
                log.LogInformation("Phase-1 watch: this replica now watches shard {Shard}", shard);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Another replica holds it.
            }
        }

        var wanted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var shard in held.Keys)
            foreach (var id in await registry.ListShardAsync(shard, cancellationToken))
                wanted[id] = shard;
        foreach (var (id, running) in watches)
            if (!wanted.ContainsKey(id) || running.Task.IsCompleted)
            {
                if (watches.TryRemove(id, out _))
                {
                    running.Stop.Cancel();
                    if (wanted.ContainsKey(id)) ended[id] = now;
                }
            }
        foreach (var id in ended.Keys)
            if (!wanted.ContainsKey(id)) ended.TryRemove(id, out _);
        foreach (var (id, shard) in wanted)
            if (!ended.TryGetValue(id, out var at) || now - at >= RestartAfter)
                Start(id, shard);
    }

    void Start(string deploymentId, int shard)
    {
        lock (gate)
        {
            if (watches.ContainsKey(deploymentId) || stopping.IsCancellationRequested) return;
            ended.TryRemove(deploymentId, out _);
            var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var watch = createWatch(deploymentId);
            var task = Task.Run(async () =>
            {
                try
                {
                    await watch.RunAsync(stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    log.LogWarning(e, "Phase-1 watch of {DeploymentId} failed; it starts again after {Delay}",
                        deploymentId, RestartAfter);
                }
            }, CancellationToken.None);
            watches[deploymentId] = new Running(shard, stop, task);
        }
    }

    void StopShard(int shard)
    {
        foreach (var (id, running) in watches)
            if (running.Shard == shard && watches.TryRemove(id, out _))
                running.Stop.Cancel();
    }

    async Task StopAllAsync()
    {
        var running = watches.Values.ToList();
        watches.Clear();
        foreach (var r in running) r.Stop.Cancel();
        await Task.WhenAll(running.Select(r => r.Task)).WaitAsync(TimeSpan.FromSeconds(10))
            .ContinueWith(_ => { }, TaskScheduler.Default);
        // Released, not left to expire: another replica takes the shards at its next scan.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        foreach (var (shard, mine) in held)
        {
            try
            {
                await mine.Lease.ReleaseAsync(cancellationToken: timeout.Token);
            }
            catch (Exception e) when (e is RequestFailedException or OperationCanceledException)
            {
                log.LogInformation(
                    "Phase-1 watch: shard {Shard}'s lease was not released ({Why}); it expires by itself",
                    shard, e.Message);
            }
        }
        held.Clear();
    }
}
