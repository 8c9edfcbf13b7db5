using Catalyst.Domain.Streams;
using Catalyst.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Catalyst.Domain.Tests.Streams;

public class SharedPollerTests
{
    [Fact]
    public async Task ManyReadersOfOneKeyShareOnePollPerInterval()
    {
        var calls = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var poller = new SharedPoller<string>((key, _) => Task.FromResult($"{key}#{calls.AddOrUpdate(key, 1, (_, n) => n + 1)}"),
            TimeSpan.FromMilliseconds(20), TimeProvider.System, NullLogger.Instance);
        var readers = Enumerable.Range(0, 25).Select(_ => poller.Join("d1")).ToList();

        // Every reader follows the polls to the fifth; a poll per reader would have made 25 times as many calls.
        var seen = await Task.WhenAll(readers.Select(async lease =>
        {
            var values = new List<(long, string)>();
            long version = 0;
            while (version < 5)
            {
                var polled = await lease.NextAsync(version, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                values.Add((polled.Version, polled.Value));
                version = polled.Version;
            }
            return values;
        }));
        foreach (var values in seen)
            foreach (var (version, value) in values)
                Assert.Equal($"d1#{version}", value); // version n is the n-th call: one call per published poll
        Assert.Equal(1, poller.Active);
        Assert.True(calls["d1"] <= poller.Polls);

        foreach (var lease in readers) lease.Dispose();
        Assert.Equal(0, poller.Active);
        var stopped = poller.Polls;
        // The loop has stopped: a new reader starts a new one, from its first poll.
        using var again = poller.Join("d1");
        var first = await again.NextAsync(0, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, first.Version);
        Assert.True(poller.Polls > stopped);
    }

    [Fact]
    public async Task AFailingPollKeepsReadersWaitingAndTheLoopGoing()
    {
        var calls = 0;
        var poller = new SharedPoller<string>((_, _) => Interlocked.Increment(ref calls) < 3 ? throw new IOException("storage down") : Task.FromResult("ok"),
            TimeSpan.FromMilliseconds(10), TimeProvider.System, NullLogger.Instance);
        using var lease = poller.Join("d2");
        var polled = await lease.NextAsync(0, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("ok", 1L), (polled.Value, polled.Version));
        using var cancelled = new CancellationTokenSource();
        var waiting = lease.NextAsync(long.MaxValue, cancelled.Token);
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await Wait.UntilAsync(() => poller.Polls > 3, TimeSpan.FromSeconds(10), "the loop to keep polling");
    }
}
