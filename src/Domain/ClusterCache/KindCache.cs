using System.Collections.Concurrent;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// Where one informer stands. <c>Absent</c>: the API does not serve the kind (an optional CRD not installed).
/// <c>Refused</c>: the API sent more than a limit allows; the kind
/// is stopped and emptied until the cluster is registered again.
/// </summary>
public enum InformerState { Starting, Hydrated, Synced, Absent, Failing, Refused }

/// <summary>
/// The cached objects of one kind on one cluster, and how current they are. Written by its informer only; read by
/// any request. Every mutation bumps <see cref="Version"/> so the snapshot writer knows what changed.
/// </summary>
public sealed class KindCache(string cluster, KindSpec kind)
{
    readonly ConcurrentDictionary<string, CachedObject> items = new(StringComparer.Ordinal);
    long version;
    DateTimeOffset? freshAt;
    volatile bool live;

    public string Cluster { get; } = cluster;
    public KindSpec Kind { get; } = kind;
    public InformerState State { get; internal set; } = InformerState.Starting;
    public string? LastError { get; internal set; }
    /// <summary>Listed from the API at least once (reference D.8: what readiness and <c>/sync</c> report).</summary>
    public bool Synced { get; private set; }
    public string ResourceVersion { get; internal set; } = "";
    public long Version => Interlocked.Read(ref version);
    public int Count => items.Count;
    public long WrittenVersion { get; internal set; } = -1;
    public DateTimeOffset WrittenAt { get; internal set; }
    public bool Live => live;

    public IReadOnlyCollection<CachedObject> Items => items.Values.ToList();

    /// <summary>
    /// Seconds since the cache was last known to match the API. While the watch is open that is now (the original
    /// measured time since the last event, which calls a quiet but healthy kind stale); after a snapshot it is the
    /// snapshot's age; before anything is known it is 0, as in the original.
    /// </summary>
    public TimeSpan Age(DateTimeOffset now) => live || freshAt is null ? TimeSpan.Zero
        : now - freshAt.Value < TimeSpan.Zero ? TimeSpan.Zero : now - freshAt.Value;

    /// <summary>When the content was last known current; what a snapshot records as <c>wrote</c>.</summary>
    public DateTimeOffset? FreshAt(DateTimeOffset now) => live ? now : freshAt;

    internal void MarkLive(bool isLive, DateTimeOffset now)
    {
        if (live && !isLive) freshAt = now;
        live = isLive;
        if (isLive) freshAt = now;
    }

    internal void Touch(DateTimeOffset now) => freshAt = now;

    internal void Hydrate(IEnumerable<CachedObject> objects, DateTimeOffset wrote)
    {
        foreach (var item in objects) items[item.Key] = item;
        freshAt = wrote;
        State = InformerState.Hydrated;
        Interlocked.Increment(ref version);
    }

    /// <summary>Adds or replaces; the event type, or null when nothing changed (same resourceVersion).</summary>
    internal string? Upsert(CachedObject item)
    {
        string? type = CacheEvent.Added;
        items.AddOrUpdate(item.Key, item, (_, old) =>
        {
            type = old.ResourceVersion == item.ResourceVersion && item.ResourceVersion.Length > 0 ? null
                : CacheEvent.Modified;
            return item;
        });
        if (type is not null) Interlocked.Increment(ref version);
        return type;
    }

    /// <summary>Stops serving the kind: its objects are dropped so a refused cluster holds no memory for it.</summary>
    internal void Refuse(string why)
    {
        items.Clear();
        State = InformerState.Refused;
        LastError = why;
        Interlocked.Increment(ref version);
    }

    internal bool Remove(string key)
    {
        if (!items.TryRemove(key, out _)) return false;
        Interlocked.Increment(ref version);
        return true;
    }

    /// <summary>Makes the content what a fresh list says (the API wins
    /// over anything hydrated); returns the differences.</summary>
    internal List<(string Type, CachedObject Item)> Replace(IReadOnlyDictionary<string, CachedObject> listed,
        DateTimeOffset now)
    {
        var changes = new List<(string, CachedObject)>();
        foreach (var (key, old) in items)
            if (!listed.ContainsKey(key) && items.TryRemove(key, out _))
                changes.Add((CacheEvent.Deleted, old));
        foreach (var item in listed.Values)
            if (Upsert(item) is { } type)
                changes.Add((type, item));
        Synced = true;
        State = InformerState.Synced;
        LastError = null;
        freshAt = now;
        Interlocked.Increment(ref version);
        return changes;
    }
}
