using Microsoft.Extensions.Logging;

namespace Catalyst.Domain.Streams;

/// <summary>
/// One poll loop per key, shared by everyone watching that key on this replica: N streams of one deployment cost one
/// storage read per interval instead of N. The loop runs while at least one lease is open and stops with the last.
/// Every poll publishes a new <see cref="Polled{T}"/>; a reader waits for a version newer than the one it has seen.
/// </summary>
public sealed class SharedPoller<T>(Func<string, CancellationToken, Task<T>> poll, TimeSpan interval, TimeProvider time,
    ILogger log) where T : class
{
    readonly object gate = new();
    readonly Dictionary<string, Feed> feeds = new(StringComparer.Ordinal);
    long polls;

    /// <summary>Polls made since start, all keys together: what a test compares with the number of readers.</summary>
    public long Polls => Interlocked.Read(ref polls);
    public int Active { get { lock (gate) return feeds.Count; } }

    public Lease Join(string key)
    {
        lock (gate)
        {
            if (!feeds.TryGetValue(key, out var feed))
            {
                feed = new Feed();
                feeds[key] = feed;
                _ = Task.Run(() => RunAsync(key, feed), CancellationToken.None);
            }
            feed.Readers++;
            return new Lease(this, key, feed);
        }
    }

    void Leave(string key, Feed feed)
    {
        lock (gate)
        {
            if (--feed.Readers > 0) return;
            feeds.Remove(key);
            feed.Stop.Cancel();
        }
    }

    async Task RunAsync(string key, Feed feed)
    {
        var token = feed.Stop.Token;
        var failures = 0;
        try
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    Interlocked.Increment(ref polls);
                    feed.Publish(await poll(key, token));
                    failures = 0;
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    // Readers keep what they have and wait; storage that does not answer is tried again next interval.
                    if (++failures is 1 or 10 || failures % 100 == 0)
                        log.LogWarning("Polling {Key} failed {Failures} time(s): {Why}", key, failures,
                            e.Message.Split('\n')[0]);
                }
                await Task.Delay(interval, time, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            feed.Stop.Dispose();
        }
    }

    internal sealed class Feed
    {
        readonly object sync = new();
        public readonly CancellationTokenSource Stop = new();
        public int Readers;
        long version;
        volatile Polled<T>? latest;
        TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Publish(T value)
        {
            TaskCompletionSource done;
            lock (sync)
            {
                latest = new Polled<T>(++version, value);
                done = next;
                next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            done.TrySetResult();
        }

        public async Task<Polled<T>> NextAsync(long seen, CancellationToken cancellationToken)
        {
            while (true)
            {
                Task wait;
                lock (sync)
                {
                    if (latest is { } polled && polled.Version > seen) return polled;
                    wait = next.Task;
                }
                await wait.WaitAsync(cancellationToken);
            }
        }
    }

    /// <summary>A reader's hold on a key's loop; dispose it when the stream ends.</summary>
    public sealed class Lease : IDisposable
    {
        readonly SharedPoller<T> owner;
        readonly string key;
        readonly Feed feed;
        int disposed;

        internal Lease(SharedPoller<T> owner, string key, Feed feed)
        {
            this.owner = owner;
            this.key = key;
            this.feed = feed;
        }

        /// <summary>The newest poll with a version above <paramref name="seen"/>,
        /// waiting for the next one if need be.</summary>
        public Task<Polled<T>> NextAsync(long seen, CancellationToken cancellationToken) =>
            feed.NextAsync(seen, cancellationToken);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) owner.Leave(key, feed);
        }
    }
}

/// <summary>One poll's result and its place in the sequence of polls of its key.</summary>
public sealed record Polled<T>(long Version, T Value);
