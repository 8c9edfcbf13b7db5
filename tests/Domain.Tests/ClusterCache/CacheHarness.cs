using System.Text;
using Azure.Storage.Blobs;
using Catalyst.Domain.ClusterCache;
using Catalyst.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Catalyst.Domain.Tests.ClusterCache;

/// <summary>A cache on the shared Azurite (its own snapshot container prefix: a fresh cluster id per test) over a fake API.</summary>
public sealed class CacheHarness : IAsyncDisposable
{
    CacheHarness(FakeCachedKindsApi api, SovereignCache cache, SnapshotStore snapshots, BlobServiceClient blobs, string cluster)
    {
        Api = api;
        Cache = cache;
        Snapshots = snapshots;
        Blobs = blobs;
        Cluster = cluster;
    }

    public FakeCachedKindsApi Api { get; }
    public SovereignCache Cache { get; }
    public SnapshotStore Snapshots { get; }
    public BlobServiceClient Blobs { get; }
    public string Cluster { get; }

    public static async Task<CacheHarness> StartAsync(ClusterCacheOptions? options = null, Action<FakeCachedKindsApi, SnapshotStore, string>? before = null, bool start = true,
        Func<string, string, string, CancellationToken, Task>? refused = null)
    {
        var blobs = new BlobServiceClient((await AzuriteServer.Shared).ConnectionString);
        var snapshots = new SnapshotStore(blobs);
        var api = await FakeCachedKindsApi.StartAsync();
        var cluster = Catalyst.Domain.Deployments.DeploymentId.New();
        before?.Invoke(api, snapshots, cluster);
        var cache = new SovereignCache(options ?? new ClusterCacheOptions(), snapshots, NullLoggerFactory.Instance, refused: refused);
        var harness = new CacheHarness(api, cache, snapshots, blobs, cluster);
        if (start)
        {
            Assert.True(cache.Register(cluster, Encoding.UTF8.GetBytes(api.Kubeconfig())));
            cache.Start();
        }
        return harness;
    }

    public IReadOnlyList<string> Names(string kind) =>
        Cache.Cache(Cluster, kind)?.Items.Select(i => i.Key).Order(StringComparer.Ordinal).ToList() ?? [];

    public Task WaitSyncedAsync(params string[] kinds) =>
        Wait.UntilAsync(() => kinds.All(k => Cache.Cache(Cluster, k) is { Synced: true }), TimeSpan.FromSeconds(10), $"{string.Join(", ", kinds)} to sync");

    public Task WaitNamesAsync(string kind, params string[] keys) =>
        Wait.UntilAsync(() => Names(kind).SequenceEqual(keys), TimeSpan.FromSeconds(10), $"{kind} to hold exactly {string.Join(", ", keys)} (has {string.Join(", ", Names(kind))})");

    public async Task<string> SnapshotTextAsync(string kind)
    {
        var blob = Blobs.GetBlobContainerClient(SnapshotStore.ContainerName).GetBlobClient(SnapshotStore.BlobName(Cluster, kind));
        return (await blob.DownloadContentAsync()).Value.Content.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await Cache.DisposeAsync();
        await Api.DisposeAsync();
    }
}
