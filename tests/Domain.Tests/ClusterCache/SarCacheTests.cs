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
}
