namespace Catalyst.Domain.ClusterCache;

/// <summary>What requests ask of the cache: lists, streams, sync state, readiness.</summary>
public sealed partial class SovereignCache
{
    Subscription[] subscribers = [];
    readonly object subscribersGate = new();

    /// <summary>
    /// The registered cluster <paramref name="id"/> names, or null. On a Sovereign (<c>SOVEREIGN_FQDN</c> set) with
    /// exactly one cluster, any id names it: the console there
    /// does not know its own deployment id (reference D.9 chroot).
    /// </summary>
    public string? Resolve(string id)
    {
        if (clusters.ContainsKey(id)) return id;
        if (options.SovereignFqdn is not null && clusters.Count == 1) return clusters.Keys.FirstOrDefault();
        return null;
    }

    public KindCache? Cache(string cluster, string kind) =>
        clusters.TryGetValue(cluster, out var c) && c.Caches.TryGetValue(KindSpec.Canonical(kind), out var cache)
            ? cache : null;

    /// <summary>Per kind, listed from the API at least once (reference D.8); null for an unknown cluster.</summary>
    public IReadOnlyDictionary<string, bool>? Synced(string cluster)
    {
        if (!clusters.TryGetValue(cluster, out var c)) return null;
        var caches = c.Caches;
        return Kinds.Names.ToDictionary(k => k, k => caches.TryGetValue(k, out var cache) && cache.Synced,
            StringComparer.Ordinal);
    }

    /// <summary>
    /// The cluster readiness follows: <c>CATALYST_K8SCACHE_PRIMARY</c> when it is registered, else the first id in
    /// order. A configured primary that is not registered falls back rather than failing: an unready pod cannot receive
    /// the very kubeconfig postback that would register it (seed, issue #530).
    /// </summary>
    public string? Primary
    {
        get
        {
            var ids = Clusters;
            if (ids.Count == 0) return null;
            return options.Primary is { } configured && ids.Contains(configured) ? configured : ids[0];
        }
    }

    /// <summary>Null when ready: no Sovereign registered, or the
    /// primary's pod and deployment informers have synced.</summary>
    public string? ReadinessProblem()
    {
        if (Primary is not { } primary) return null;
        var waiting = new[] { "pod", "deployment" }.Where(k => Kinds.Find(k) is not null
            && Cache(primary, k) is not { Synced: true }).ToList();
        return waiting.Count == 0 ? null
            : $"primary Sovereign {primary}: {string.Join(" and ", waiting)} informers not synced yet";
    }

    /// <summary>Events of <paramref name="kinds"/> on <paramref name="cluster"/>, queued up to
    /// <c>CATALYST_K8SCACHE_EVENT_BUFFER</c> (or <paramref name="capacity"/>).</summary>
    public Subscription Subscribe(string cluster, IReadOnlySet<string> kinds, int? capacity = null) =>
        TrySubscribe(cluster, kinds, capacity)
            ?? throw new InvalidOperationException(
                $"cluster {cluster} has {options.MaxSubscribersPerCluster} subscribers already");

    /// <summary>
    /// As <see cref="Subscribe"/>, or null when the cluster already has
    /// <c>CATALYST_K8SCACHE_MAX_SUBSCRIBERS_PER_CLUSTER</c> subscribers: every subscriber costs each of the cluster's
    /// events a queue slot, so their number is bounded too.
    /// </summary>
    public Subscription? TrySubscribe(string cluster, IReadOnlySet<string> kinds, int? capacity = null)
    {
        var subscription = new Subscription(cluster, kinds, capacity ?? options.EventBuffer, Unsubscribe);
        lock (subscribersGate)
        {
            if (subscribers.Count(s => s.Cluster == cluster) >= options.MaxSubscribersPerCluster) return null;
            subscribers = [.. subscribers, subscription];
            Metrics.CatalystMetrics.CacheSubscribers.Set(subscribers.Length);
        }
        return subscription;
    }

    void Unsubscribe(Subscription subscription)
    {
        lock (subscribersGate)
            Metrics.CatalystMetrics.CacheSubscribers.Set((subscribers = subscribers.Where(s => s != subscription)
                .ToArray()).Length);
    }

    public int SubscriberCount => Volatile.Read(ref subscribers).Length;

    /// <summary>Called by informers: hands the event to each subscriber without ever waiting on one.</summary>
    void Publish(CacheEvent e)
    {
        Metrics.CatalystMetrics.CacheEvent(e.Cluster, e.Kind, e.Type, e.At, Cache(e.Cluster, e.Kind)?.Count);
        foreach (var subscription in Volatile.Read(ref subscribers)) subscription.Offer(e);
    }

    /// <summary>
    /// One page of a kind's objects, filtered, sorted by ns/name, with the cache age (reference D.9). The optional
    /// <paramref name="allowNamespace"/> gate is asked once per namespace in the answer (the SAR filter).
    /// </summary>
    public async Task<ListPage> ListAsync(KindCache cache, ListQuery query, Func<string, Task<bool>>? allowNamespace)
    {
        var matching = cache.Items.Where(query.Matches).ToList();
        if (allowNamespace is not null)
        {
            var allowed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var ns in matching.Select(i => i.Namespace).Distinct(StringComparer.Ordinal))
                if (await allowNamespace(ns)) allowed.Add(ns);
            matching = matching.Where(i => allowed.Contains(i.Namespace)).ToList();
        }
        matching.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var page = matching.Skip(query.Offset).Take(query.Limit).ToList();
        var next = query.Offset + page.Count < matching.Count
            ? ListQuery.EncodeContinue(query.Offset + page.Count) : null;
        return new ListPage(page, next, cache.Age(time.GetUtcNow()));
    }
}
