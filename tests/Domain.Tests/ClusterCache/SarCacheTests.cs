using Catalyst.Domain.ClusterCache;

namespace Catalyst.Domain.Tests.ClusterCache;

public class SarCacheTests
{
    sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task AllowAndDenyAreCachedForTheTtlAndErrorsDeny()
    {
        var clock = new ManualClock();
        var asked = 0;
        var sar = new SarCache((user, _, _, ns, _, _) =>
        {
            Interlocked.Increment(ref asked);
            return user == "boom" ? throw new HttpRequestException("apiserver down") : Task.FromResult(ns == "team-a");
        }, TimeSpan.FromSeconds(30), clock);

        Assert.True(await sar.AllowedAsync("alice", "c1", "pod", "team-a", "list", default));
        Assert.False(await sar.AllowedAsync("alice", "c1", "pod", "team-b", "list", default));
        Assert.True(await sar.AllowedAsync("alice", "c1", "pod", "team-a", "list", default));
        Assert.False(await sar.AllowedAsync("alice", "c1", "pod", "team-b", "list", default));
        Assert.Equal(2, asked);

        Assert.False(await sar.AllowedAsync("boom", "c1", "pod", "team-a", "list", default)); // fail closed
        Assert.False(await sar.AllowedAsync("boom", "c1", "pod", "team-a", "list", default));
        Assert.Equal(3, asked);

        Assert.True(await sar.AllowedAsync("alice", "c1", "pod", "team-a", "watch", default)); // another verb is another question
        Assert.Equal(4, asked);
        clock.Now += TimeSpan.FromSeconds(31);
        Assert.True(await sar.AllowedAsync("alice", "c1", "pod", "team-a", "list", default));
        Assert.Equal(5, asked);
    }

    [Fact]
    public async Task TheCacheStaysAtItsBoundDroppingExpiredAnswersFirstThenAll()
    {
        var clock = new ManualClock();
        var asked = 0;
        var sar = new SarCache((_, _, _, _, _, _) => Task.FromResult(Interlocked.Increment(ref asked) > 0), TimeSpan.FromSeconds(30), clock, max: 100);
        for (var i = 0; i < 100; i++) await sar.AllowedAsync($"user-{i}", "c1", "pod", "ns", "list", default);
        Assert.Equal(100, sar.Count);
        // Full and nothing expired: the next new question empties the cache, then takes its place.
        await sar.AllowedAsync("user-100", "c1", "pod", "ns", "list", default);
        Assert.Equal(1, sar.Count);
        for (var i = 0; i < 1000; i++)
        {
            await sar.AllowedAsync($"many-{i}", "c1", "pod", "ns", "list", default);
            Assert.InRange(sar.Count, 1, 100);
        }
        // A known question is answered from the cache even when it is full.
        var before = asked;
        await sar.AllowedAsync("many-999", "c1", "pod", "ns", "list", default);
        Assert.Equal(before, asked);

        // Full with expired answers: only those go.
        clock.Now += TimeSpan.FromSeconds(31);
        var fresh = sar.Count;
        for (var i = 0; i < 100 - fresh; i++) await sar.AllowedAsync($"late-{i}", "c1", "pod", "ns", "list", default);
        Assert.Equal(100, sar.Count);
        await sar.AllowedAsync("one-more", "c1", "pod", "ns", "list", default);
        Assert.Equal(100 - fresh + 1, sar.Count);
    }
}
