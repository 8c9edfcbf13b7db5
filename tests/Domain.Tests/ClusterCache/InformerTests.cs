using System.Text;
using System.Threading.Channels;
using Catalyst.Domain.ClusterCache;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.ClusterCache;

/// <summary>The informers against a fake API server: what the API says reaches the cache and the subscribers.</summary>
public class InformerTests
{
    static readonly Dictionary<string, string> Web = new() { ["app"] = "web" };

    [Fact]
    public async Task ListAddUpdateDeleteReachTheCacheAndTheSubscribers()
    {
        await using var h = await CacheHarness.StartAsync(before: (api, _, _) =>
        {
            // More than a page, so the informer follows `continue`.
            for (var i = 0; i < 7; i++) api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("prod", $"p{i}", Web));
        }, options: new ClusterCacheOptions { ListPageSize = 3 });
        using var events = h.Cache.Subscribe(h.Cluster, new HashSet<string> { "pod" });
        await h.WaitSyncedAsync("pod", "deployment");
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"prod/p{i}"), h.Names("pod"));
        Assert.True(h.Api.ListRequests(FakeCachedKindsApi.Pods) >= 3);

        h.Api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("prod", "new", Web));
        var added = await NextAsync(events, e => e.Object.Name == "new");
        Assert.Equal(CacheEvent.Added, added.Type);

        h.Api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("prod", "new", Web, phase: "Succeeded"));
        var modified = await NextAsync(events, e => e.Object.Name == "new");
        Assert.Equal(CacheEvent.Modified, modified.Type);
        Assert.Contains("Succeeded", Encoding.UTF8.GetString(h.Cache.Cache(h.Cluster, "pod")!.Items.Single(i => i.Name == "new").Json));

        h.Api.Delete(FakeCachedKindsApi.Pods, "prod", "p0");
        var deleted = await NextAsync(events, e => e.Object.Name == "p0");
        Assert.Equal((CacheEvent.Deleted, h.Cluster, "pod"), (deleted.Type, deleted.Cluster, deleted.Kind));
        Assert.DoesNotContain("prod/p0", h.Names("pod"));
        Assert.Contains("prod/new", h.Names("pod"));
    }

    [Fact]
    public async Task A410GoneListsAgainAndCatchesUpWithWhatChangedMeanwhile()
    {
        await using var h = await CacheHarness.StartAsync(before: (api, _, _) => api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("a", "kept")));
        await h.WaitSyncedAsync("pod");
        var listsBefore = h.Api.ListRequests(FakeCachedKindsApi.Pods);
        await Wait.UntilAsync(() => h.Cache.Cache(h.Cluster, "pod")!.Live, TimeSpan.FromSeconds(5), "the pod watch to open");

        // The history the watch would resume from is compacted, then things change.
        h.Api.ExpireWatches();
        h.Api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("a", "after-expiry"));
        h.Api.Delete(FakeCachedKindsApi.Pods, "a", "kept");

        await h.WaitNamesAsync("pod", "a/after-expiry");
        Assert.True(h.Api.ListRequests(FakeCachedKindsApi.Pods) > listsBefore);
    }

    [Fact]
    public async Task AKindTheApiDoesNotServeIsMarkedAbsentAndNotAskedAgainAtOnce()
    {
        await using var h = await CacheHarness.StartAsync();
        await h.WaitSyncedAsync("pod");
        await Wait.UntilAsync(() => h.Cache.Cache(h.Cluster, "server.hcloud")!.State == InformerState.Absent, TimeSpan.FromSeconds(10), "server.hcloud to be absent");
        var asked = h.Api.ListRequests("apis/hcloud.crossplane.io/v1alpha1/servers");
        // Other informers keep working meanwhile; the absent one waits minutes, not milliseconds.
        h.Api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("a", "probe"));
        await h.WaitNamesAsync("pod", "a/probe");
        Assert.Equal(1, asked);
        Assert.Equal(asked, h.Api.ListRequests("apis/hcloud.crossplane.io/v1alpha1/servers"));
        Assert.False(h.Cache.Synced(h.Cluster)!["server.hcloud"]);
        Assert.True(h.Cache.Synced(h.Cluster)!["pod"]);
    }

    [Fact]
    public async Task ASlowSubscriberLosesItsOldestEventsAndBlocksNobody()
    {
        await using var h = await CacheHarness.StartAsync();
        await h.WaitSyncedAsync("pod");
        using var slow = h.Cache.Subscribe(h.Cluster, new HashSet<string> { "pod" }, capacity: 2);
        using var fast = h.Cache.Subscribe(h.Cluster, new HashSet<string> { "pod" });
        var received = new List<string>();
        var reader = Task.Run(async () =>
        {
            await foreach (var e in fast.Events.ReadAllAsync())
            {
                received.Add(e.Object.Name);
                if (received.Count == 25) return;
            }
        });

        for (var i = 0; i < 25; i++) h.Api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("load", $"p{i:00}"));

        await reader.WaitAsync(TimeSpan.FromSeconds(5)); // the informer never waited on the slow one
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"p{i:00}"), received);
        await h.WaitNamesAsync("pod", Enumerable.Range(0, 25).Select(i => $"load/p{i:00}").ToArray());
        Assert.Equal(23, slow.Dropped);
        Assert.True(slow.Events.TryRead(out var first));
        Assert.True(slow.Events.TryRead(out var second));
        Assert.False(slow.Events.TryRead(out _));
        Assert.Equal(("p23", "p24"), (first.Object.Name, second.Object.Name)); // the newest two are what is left
    }

    static async Task<CacheEvent> NextAsync(Subscription subscription, Func<CacheEvent, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await subscription.Events.WaitToReadAsync(timeout.Token))
            while (subscription.Events.TryRead(out var e))
                if (match(e)) return e;
        throw new ChannelClosedException();
    }
}
