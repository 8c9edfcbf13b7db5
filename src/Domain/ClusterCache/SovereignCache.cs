using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// The live view of every Sovereign (reference D, issue #321): one informer per (cluster, kind), the cached objects
/// they keep, the subscribers they feed and the snapshots that survive a restart. Clusters come and go at runtime
/// (a kubeconfig postback, a wipe, a rescan); registering one makes no network call, so a dead Sovereign never holds
/// up a request or the start of the process (seed, issue #530).
/// </summary>
public sealed partial class SovereignCache : IAsyncDisposable
{
    readonly ClusterCacheOptions options;
    readonly SnapshotStore? snapshots;
    readonly ILoggerFactory loggers;
    readonly ILogger log;
    readonly TimeProvider time;
    readonly ConcurrentDictionary<string, Cluster> clusters = new(StringComparer.Ordinal);
    readonly CancellationTokenSource lifetime = new();
    readonly object gate = new();
    bool started;

    sealed class Cluster(string id, ClusterConnection connection, DateTimeOffset registeredAt)
    {
        public string Id { get; } = id;
        public ClusterConnection Connection { get; } = connection;
        public DateTimeOffset RegisteredAt { get; } = registeredAt;
        public volatile IReadOnlyDictionary<string, KindCache> Caches = new Dictionary<string, KindCache>();
        public CancellationTokenSource? Stop;
        public readonly List<Task> Runners = [];
        public volatile bool Removed;
    }

    readonly Func<string, string, string, CancellationToken, Task>? refused;

    /// <param name="refused">
    /// Told (cluster, kind, why) when a kind is stopped for exceeding a limit, to put it on the deployment's timeline;
    /// its failures are logged, never thrown.
    /// </param>
    public SovereignCache(ClusterCacheOptions options, SnapshotStore? snapshots, ILoggerFactory loggers,
        TimeProvider? time = null,
        Func<string, string, string, CancellationToken, Task>? refused = null)
    {
        this.options = options;
        this.snapshots = snapshots;
        this.loggers = loggers;
        this.time = time ?? TimeProvider.System;
        this.refused = refused;
        log = loggers.CreateLogger("Catalyst.ClusterCache");
        Sar = new SarCache(ReviewAsync, options.SarTtl, this.time, options.SarCacheMax);
    }

    public ClusterCacheOptions Options => options;
    public KindRegistry Kinds { get; private set; } = KindRegistry.WithDefaults();
    public SarCache Sar { get; }
    public IReadOnlyList<string> Clusters => clusters.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Sets the kinds; only before <see cref="Start"/>, since running informers are not re-planned.</summary>
    public void UseKinds(KindRegistry kinds)
    {
        lock (gate)
        {
            if (started) throw new InvalidOperationException("kinds are fixed once the cache has started");
            Kinds = kinds;
        }
    }

    /// <summary>Starts the informers of every registered cluster and of each one registered from now on.</summary>
    public void Start()
    {
        lock (gate)
        {
            if (started) return;
            started = true;
            foreach (var cluster in clusters.Values) StartCluster(cluster);
        }
        if (snapshots is not null) snapshotLoop = Task.Run(() => SnapshotLoopAsync(lifetime.Token));
    }

    /// <summary>
    /// Adds a cluster from its kubeconfig; false when it is there already or the kubeconfig gives no client (logged
    /// without its content). No network call: the informers connect in the background.
    /// </summary>
    public bool Register(string id, byte[] kubeconfig)
    {
        if (!options.Enabled || clusters.ContainsKey(id)) return false;
        ClusterConnection connection;
        try
        {
            connection = ClusterConnection.FromKubeconfig(kubeconfig, options.Qps, options.Burst);
        }
        catch (Exception e)
        {
            // The exception text may quote the kubeconfig, which holds credentials: its type says enough.
            log.LogWarning("Cluster {Cluster}: kubeconfig does not give a Kubernetes client ({Type}); not cached", id,
                e.GetType().Name);
            return false;
        }
        var cluster = new Cluster(id, connection, time.GetUtcNow());
        lock (gate)
        {
            if (!clusters.TryAdd(id, cluster))
            {
                connection.Dispose();
                return false;
            }
            if (started) StartCluster(cluster);
        }
        log.LogInformation("Cluster {Cluster} registered in the cluster cache", id);
        return true;
    }

    /// <summary>Stops a cluster's informers, ends its streams and, when asked, deletes its snapshots.</summary>
    public async Task<bool> UnregisterAsync(string id, bool deleteSnapshots,
        CancellationToken cancellationToken = default)
    {
        if (!clusters.TryRemove(id, out var cluster)) return false;
        cluster.Removed = true;
        cluster.Stop?.Cancel();
        await Task.WhenAll(cluster.Runners).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken)
            .ContinueWith(_ => { }, TaskScheduler.Default);
        cluster.Connection.Dispose();
        foreach (var subscription in Volatile.Read(ref subscribers))
            if (subscription.Cluster == id) subscription.Complete();
        if (deleteSnapshots && snapshots is not null)
        {
            await snapshotWrites.WaitAsync(cancellationToken);
            try { await snapshots.DeleteClusterAsync(id, cancellationToken); }
            finally { snapshotWrites.Release(); }
        }
        log.LogInformation("Cluster {Cluster} removed from the cluster cache", id);
        return true;
    }

    /// <summary>
    /// Makes the registered clusters those <paramref name="source"/> lists: what another replica received, or what was
    /// wiped elsewhere. A cluster registered after the scan began is kept: its postback may have landed mid-scan.
    /// </summary>
    public async Task ReconcileAsync(IClusterSource source, CancellationToken cancellationToken)
    {
        var began = time.GetUtcNow();
        var wanted = (await source.ScanAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        foreach (var id in wanted.Where(id => !clusters.ContainsKey(id)).Order(StringComparer.Ordinal))
            if (await source.KubeconfigAsync(id, cancellationToken) is { } kubeconfig)
                Register(id, kubeconfig);
        foreach (var cluster in clusters.Values.Where(c => !wanted.Contains(c.Id) && c.RegisteredAt < began).ToList())
            await UnregisterAsync(cluster.Id, deleteSnapshots: true, cancellationToken);
    }

    void StartCluster(Cluster cluster)
    {
        cluster.Stop = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token);
        var token = cluster.Stop.Token;
        var caches = new Dictionary<string, KindCache>(StringComparer.Ordinal);
        var informerLog = loggers.CreateLogger("Catalyst.ClusterCache.Informer");
        foreach (var kind in Kinds.All)
        {
            var cache = new KindCache(cluster.Id, kind);
            caches[kind.Name] = cache;
            var informer = new Informer(cluster.Connection, cache, Publish, snapshots is null ? null : HydrateAsync,
                SnapshotSoon, options, time, informerLog,
                (refusedCache, why) => _ = ReportRefusedAsync(refusedCache, why, token));
            cluster.Runners.Add(Task.Run(async () =>
            {
                try { await informer.RunAsync(token); }
                catch (OperationCanceledException) when (token.IsCancellationRequested) { }
                catch (Exception e) { log.LogError(e, "Cluster {Cluster}: {Kind} informer stopped",
                    cluster.Id, kind.Name); }
            }, CancellationToken.None));
        }
        cluster.Caches = caches;
    }

    /// <summary>How many kinds were stopped for exceeding a limit since start.</summary>
    public int RefusedKinds => refusedKinds;
    int refusedKinds;

    async Task ReportRefusedAsync(KindCache cache, string why, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref refusedKinds);
        if (refused is null) return;
        try
        {
            await refused(cache.Cluster, cache.Kind.Name, why, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            log.LogWarning("Cluster {Cluster}: could not record that {Kind} was stopped: {Why}", cache.Cluster,
                cache.Kind.Name, e.Message.Split('\n')[0]);
        }
    }

    async Task HydrateAsync(KindCache cache, CancellationToken cancellationToken)
    {
        var result = await snapshots!.ReadAsync(cache.Kind, cache.Cluster, options.SnapshotMaxAge, time.GetUtcNow(),
            cancellationToken);
        hydrateOutcomes.AddOrUpdate(result.Outcome, 1, (_, n) => n + 1);
        Metrics.CatalystMetrics.CacheHydrates.WithLabels(cache.Cluster, cache.Kind.Name,
            result.Outcome.ToString().ToLowerInvariant()).Inc();
        if (result.Outcome == HydrateOutcome.Hydrated) cache.Hydrate(result.Items, result.Wrote!.Value);
        if (result.Outcome != HydrateOutcome.Missing)
            log.LogInformation("Cluster {Cluster}: {Kind} snapshot {Outcome} ({Count} objects){Problem}", cache.Cluster,
                cache.Kind.Name,
                result.Outcome.ToString().ToLowerInvariant(), result.Items.Count,
                result.Problem is null ? "" : $": {result.Problem}");
    }

    readonly ConcurrentDictionary<HydrateOutcome, int> hydrateOutcomes = new();

    /// <summary>How many snapshot reads ended each way since start.</summary>
    public IReadOnlyDictionary<HydrateOutcome, int> HydrateOutcomes => hydrateOutcomes;

    Task<bool> ReviewAsync(string user, string cluster, string kind, string ns, string verb,
        CancellationToken cancellationToken) =>
        clusters.TryGetValue(cluster, out var c) && Kinds.Find(kind) is { } spec
            ? c.Connection.SubjectAccessReviewAsync(user, spec, ns, verb, cancellationToken)
            : Task.FromResult(false);

    /// <summary>Stops every informer, then writes what changed since the last snapshot within
    /// <paramref name="budget"/>.</summary>
    public async Task StopAsync(TimeSpan budget)
    {
        if (lifetime.IsCancellationRequested) return;
        await lifetime.CancelAsync();
        var runners = clusters.Values.SelectMany(c => c.Runners).Append(snapshotLoop ?? Task.CompletedTask);
        await Task.WhenAll(runners).WaitAsync(budget).ContinueWith(_ => { }, TaskScheduler.Default);
        if (snapshots is not null)
        {
            using var timeout = new CancellationTokenSource(budget);
            await WriteSnapshotsAsync(clusters.Values.SelectMany(c => c.Caches.Values), timeout.Token)
                .ContinueWith(_ => { }, TaskScheduler.Default);
        }
        foreach (var subscription in Volatile.Read(ref subscribers)) subscription.Complete();
        foreach (var cluster in clusters.Values) cluster.Connection.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        lifetime.Dispose();
    }
}

/// <summary>Where the clusters to cache are recorded: ids, and each one's kubeconfig.</summary>
public interface IClusterSource
{
    Task<IReadOnlyList<string>> ScanAsync(CancellationToken cancellationToken);
    Task<byte[]?> KubeconfigAsync(string id, CancellationToken cancellationToken);
}
