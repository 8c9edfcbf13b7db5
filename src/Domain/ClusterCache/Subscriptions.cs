using System.Threading.Channels;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// One stream client's view of the events: a bounded queue of its own. When it is full the OLDEST event is dropped
/// to make room (reference D.9), so a slow reader loses history instead of slowing the informers or anyone else.
/// </summary>
public sealed class Subscription : IDisposable
{
    readonly Channel<CacheEvent> channel;
    readonly Action<Subscription> unsubscribe;
    long dropped;

    internal Subscription(string cluster, IReadOnlySet<string> kinds, int capacity, Action<Subscription> unsubscribe)
    {
        Cluster = cluster;
        Kinds = kinds;
        this.unsubscribe = unsubscribe;
        channel = Channel.CreateBounded<CacheEvent>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true,
                SingleWriter = false },
            e => { Interlocked.Increment(ref dropped); Metrics.CatalystMetrics.CacheSubscriberDrops.WithLabels(
                e.Cluster, e.Kind).Inc(); });
    }

    public string Cluster { get; }
    public IReadOnlySet<string> Kinds { get; }
    public ChannelReader<CacheEvent> Events => channel.Reader;
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Never waits: with DropOldest a write into a full queue succeeds by evicting the oldest event.</summary>
    internal void Offer(CacheEvent e)
    {
        if (e.Cluster == Cluster && Kinds.Contains(e.Kind)) channel.Writer.TryWrite(e);
    }

    internal void Complete() => channel.Writer.TryComplete();

    public void Dispose()
    {
        unsubscribe(this);
        Complete();
    }
}
