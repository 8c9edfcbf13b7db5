using System.Text;
using Catalyst.Domain.ClusterCache;
using Catalyst.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Catalyst.Domain.Tests.ClusterCache;

/// <summary>Clusters coming and going, readiness, the chroot alias and the SAR-gated list.</summary>
public class SovereignCacheTests
{
    sealed class Source(Dictionary<string, byte[]> clusters) : IClusterSource
    {
        public Task<IReadOnlyList<string>> ScanAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>(clusters.Keys.ToList());
        public Task<byte[]?> KubeconfigAsync(string id, CancellationToken cancellationToken) => Task.FromResult(clusters.GetValueOrDefault(id));
    }

    [Fact]
    public async Task ReadyWithNoSovereignThenOnlyOnceThePrimarysPodsAndDeploymentsHaveSynced()
    {
        await using var h = await CacheHarness.StartAsync(start: false);
        Assert.Null(h.Cache.ReadinessProblem());
        h.Cache.Start();
        h.Api.Hold();
        Assert.True(h.Cache.Register(h.Cluster, Encoding.UTF8.GetBytes(h.Api.Kubeconfig())));
        Assert.Contains($"primary Sovereign {h.Cluster}: pod and deployment informers not synced yet", h.Cache.ReadinessProblem());
        h.Api.Answer();
        await h.WaitSyncedAsync("pod", "deployment");
        Assert.Null(h.Cache.ReadinessProblem());
    }

    [Fact]
    public async Task ThePrimaryIsTheConfiguredOneWhenRegisteredElseTheFirstId()
    {
        await using var other = await FakeCachedKindsApi.StartAsync();
        other.Hold(); // this one never answers
        await using var h = await CacheHarness.StartAsync(options: new ClusterCacheOptions { Primary = "ffffffffffffffff" });
        await h.WaitSyncedAsync("pod", "deployment");
        Assert.Null(h.Cache.ReadinessProblem());

        // Registered and sorting first, but the configured primary is not it: readiness follows the configured one.
        Assert.True(h.Cache.Register("0000000000000000", Encoding.UTF8.GetBytes(other.Kubeconfig())));
        Assert.Equal("0000000000000000", h.Cache.Primary); // the configured id is not registered: the first id
        Assert.NotNull(h.Cache.ReadinessProblem());
        Assert.True(h.Cache.Register("ffffffffffffffff", Encoding.UTF8.GetBytes(h.Api.Kubeconfig())));
        Assert.Equal("ffffffffffffffff", h.Cache.Primary);
        await Wait.UntilAsync(() => h.Cache.ReadinessProblem() is null, TimeSpan.FromSeconds(10), "the configured primary to sync");
    }

    [Fact]
    public async Task ReconcileAddsNewClustersAndRemovesVanishedOnesWithTheirSnapshots()
    {
        await using var h = await CacheHarness.StartAsync(start: false, options: new ClusterCacheOptions { SnapshotInterval = TimeSpan.FromMilliseconds(200) });
        h.Api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("a", "p"));
        var recorded = new Dictionary<string, byte[]> { [h.Cluster] = Encoding.UTF8.GetBytes(h.Api.Kubeconfig()), ["bad0000000000000"] = "not: [a kubeconfig"u8.ToArray() };
        h.Cache.Start();
        await h.Cache.ReconcileAsync(new Source(recorded), default);
        Assert.Equal([h.Cluster], h.Cache.Clusters); // the unusable kubeconfig is skipped
        await h.WaitNamesAsync("pod", "a/p");
        await Wait.ForAsync(async () => (await h.SnapshotTextAsync("pod")).Contains("\"p\"") ? true : (object?)null, TimeSpan.FromSeconds(10), "the pod snapshot");

        using var stream = h.Cache.Subscribe(h.Cluster, new HashSet<string> { "pod" });
        recorded.Remove(h.Cluster);
        await h.Cache.ReconcileAsync(new Source(recorded), default);
        Assert.Empty(h.Cache.Clusters);
        Assert.Null(h.Cache.Resolve(h.Cluster));
        Assert.Equal(HydrateOutcome.Missing, (await h.Snapshots.ReadAsync(KindRegistry.WithDefaults().Find("pod")!, h.Cluster, TimeSpan.FromHours(1), DateTimeOffset.UtcNow, default)).Outcome);
        Assert.False(await stream.Events.WaitToReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5))); // its streams end
    }

    [Fact]
    public async Task OnASovereignAnyIdNamesTheOnlyCluster()
    {
        var plain = new SovereignCache(new ClusterCacheOptions(), null, NullLoggerFactory.Instance);
        var chroot = new SovereignCache(new ClusterCacheOptions { SovereignFqdn = "acme.omani.works" }, null, NullLoggerFactory.Instance);
        await using var api = await FakeCachedKindsApi.StartAsync();
        foreach (var cache in new[] { plain, chroot }) cache.Register("0123456789abcdef", Encoding.UTF8.GetBytes(api.Kubeconfig()));
        Assert.Null(plain.Resolve("self"));
        Assert.Equal("0123456789abcdef", chroot.Resolve("self"));
        chroot.Register("1123456789abcdef", Encoding.UTF8.GetBytes(api.Kubeconfig()));
        Assert.Null(chroot.Resolve("self")); // two clusters: no guessing
        await plain.DisposeAsync();
        await chroot.DisposeAsync();
    }

    [Fact]
    public async Task TheSarGateFiltersListsPerNamespaceAndAsksOncePerTtl()
    {
        await using var h = await CacheHarness.StartAsync(before: (api, _, _) =>
        {
            foreach (var ns in new[] { "team-a", "team-b" })
                for (var i = 0; i < 3; i++) api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod(ns, $"p{i}"));
            api.Access = (user, verb, resource, ns) => user == "alice" && verb == "list" && resource == "pods" && ns == "team-a";
        });
        await h.WaitSyncedAsync("pod");
        var cache = h.Cache.Cache(h.Cluster, "pod")!;
        Task<bool> Gate(string user, string ns) => h.Cache.Sar.AllowedAsync(user, h.Cluster, "pod", ns, "list", default);

        var alice = await h.Cache.ListAsync(cache, ListQuery.Parse(null, null, null, null, null), ns => Gate("alice", ns));
        Assert.Equal(["p0", "p1", "p2"], alice.Items.Select(i => i.Name));
        Assert.All(alice.Items, i => Assert.Equal("team-a", i.Namespace));
        await h.Cache.ListAsync(cache, ListQuery.Parse(null, null, null, null, null), ns => Gate("alice", ns));
        Assert.Equal(2, h.Api.SarRequests); // one per namespace, then cached

        var mallory = await h.Cache.ListAsync(cache, ListQuery.Parse(null, null, null, null, null), ns => Gate("mallory", ns));
        Assert.Empty(mallory.Items);
        Assert.False(await h.Cache.Sar.AllowedAsync("alice", "unknown-cluster", "pod", "team-a", "list", default)); // fails closed

        var paged = await h.Cache.ListAsync(cache, ListQuery.Parse(null, null, null, "4", null), null);
        Assert.Equal(["team-a/p0", "team-a/p1", "team-a/p2", "team-b/p0"], paged.Items.Select(i => i.Key));
        var rest = await h.Cache.ListAsync(cache, ListQuery.Parse(null, null, null, "4", paged.Continue), null);
        Assert.Equal(["team-b/p1", "team-b/p2"], rest.Items.Select(i => i.Key));
        Assert.Null(rest.Continue);
    }
}
