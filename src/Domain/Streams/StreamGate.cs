using System.Net;
using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Streams;

/// <summary>
/// How many server-sent event streams (<c>/logs</c> and <c>/k8s/stream</c>) one replica holds open: per client address
/// and in total. Each open stream holds a connection, a task and its buffers, so without a bound anyone could hold
/// the replica's memory and sockets by opening streams and never reading them.
/// </summary>
public sealed record StreamLimits
{
    public int MaxPerClient { get; init; } = 20;
    public int MaxTotal { get; init; } = 1000;
    /// <summary>What a refused client is told to wait: streams end
    /// when their clients go, so a retry soon may pass.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(5);

    public static StreamLimits From(Func<string, string?> read) => new()
    {
        MaxPerClient = Settings.Int(read, "CATALYST_SSE_MAX_PER_CLIENT", 20, 1, 1_000_000),
        MaxTotal = Settings.Int(read, "CATALYST_SSE_MAX_TOTAL", 1000, 1, 1_000_000),
    };
}

/// <summary>
/// Counts open streams per client address and in total. <see cref="TryEnter"/> gives a lease to dispose when the
/// stream ends, or null when a limit is reached. The client is the connection's remote address, never a forwarded
/// header: a header is whatever the client wants it to be, so trusting it would let one client pose as many.
/// </summary>
public sealed class StreamGate(StreamLimits limits)
{
    readonly object gate = new();
    readonly Dictionary<string, int> perClient = new(StringComparer.Ordinal);
    int total;

    public StreamLimits Limits => limits;
    public int Open { get { lock (gate) return total; } }

    /// <summary>A lease, or null with why: the client's own streams or the replica's are at their limit.</summary>
    public IDisposable? TryEnter(IPAddress? client, out string? refusal)
    {
        // IPv4 seen over an IPv6 socket is the same client as plain IPv4.
        var key = (client is { IsIPv4MappedToIPv6: true } ? client.MapToIPv4() : client)?.ToString() ?? "unknown";
        lock (gate)
        {
            if (total >= limits.MaxTotal)
            {
                refusal = $"this server holds its limit of {limits.MaxTotal} streams; retry later";
                return null;
            }
            var mine = perClient.GetValueOrDefault(key);
            if (mine >= limits.MaxPerClient)
            {
                refusal = $"your address holds {mine} streams, the limit per client; close one or retry later";
                return null;
            }
            perClient[key] = mine + 1;
            total++;
            Metrics.CatalystMetrics.SseOpen.Inc();
        }
        refusal = null;
        return new Lease(this, key);
    }

    void Leave(string key)
    {
        lock (gate)
        {
            total--;
            Metrics.CatalystMetrics.SseOpen.Dec();
            if (--perClient[key] == 0) perClient.Remove(key);
        }
    }

    sealed class Lease(StreamGate owner, string key) : IDisposable
    {
        int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) owner.Leave(key);
        }
    }
}
