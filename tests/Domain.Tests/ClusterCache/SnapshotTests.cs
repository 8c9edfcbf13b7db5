using System.Text;
using System.Text.Json;
using Catalyst.Domain.ClusterCache;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.ClusterCache;

/// <summary>Snapshots on Azurite: served before the API answers, overruled once it does, ignored when old, pruned.</summary>
public class SnapshotTests
{
    static readonly KindSpec Pod = KindRegistry.WithDefaults().Find("pod")!;

    static CachedObject Cached(string ns, string name, string rv = "1") =>
        CachedObject.From(JsonDocument.Parse($$$"""{"metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","resourceVersion":"{{{rv}}}"}}""").RootElement, Pod, "Pod")!;

    static void Seed(SnapshotStore snapshots, string cluster, DateTimeOffset wrote, params CachedObject[] items) =>
        snapshots.WriteAsync(cluster, "pod", wrote, "5", items, CancellationToken.None).GetAwaiter().GetResult();

    [Fact]
    public async Task ASeededSnapshotIsServedBeforeTheApiAnswersAndTheApiWinsAfterwards()
    {
        var wrote = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5);
        await using var h = await CacheHarness.StartAsync(before: (api, snapshots, cluster) =>
        {
            Seed(snapshots, cluster, wrote, Cached("prod", "gone-since"), Cached("prod", "still-there"));
            api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("prod", "still-there"));
            api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("prod", "new-since"));
            api.Hold();
        });

        await h.WaitNamesAsync("pod", "prod/gone-since", "prod/still-there");
        var cache = h.Cache.Cache(h.Cluster, "pod")!;
        Assert.False(cache.Synced);
        Assert.Equal(InformerState.Hydrated, cache.State);
        var page = await h.Cache.ListAsync(cache, ListQuery.Parse(null, null, null, null, null), null);
        Assert.InRange(page.Age, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(6)); // served, and marked as old as it is
        Assert.NotNull(h.Cache.ReadinessProblem());

        using var events = h.Cache.Subscribe(h.Cluster, new HashSet<string> { "pod" });
        h.Api.Answer();
        await h.WaitNamesAsync("pod", "prod/new-since", "prod/still-there");
        await h.WaitSyncedAsync("pod", "deployment");
        Assert.Null(h.Cache.ReadinessProblem());
        Assert.True(events.Events.TryRead(out var first));
        Assert.Equal((CacheEvent.Deleted, "gone-since"), (first!.Type, first.Object.Name));
        Assert.Equal(1, h.Cache.HydrateOutcomes[HydrateOutcome.Hydrated]);
    }

    [Fact]
    public async Task ASnapshotOlderThanTheMaxAgeIsIgnored()
    {
        await using var h = await CacheHarness.StartAsync(before: (api, snapshots, cluster) =>
        {
            Seed(snapshots, cluster, DateTimeOffset.UtcNow - TimeSpan.FromHours(25), Cached("prod", "ancient"));
            api.Hold();
        });
        await Wait.UntilAsync(() => h.Cache.HydrateOutcomes.GetValueOrDefault(HydrateOutcome.Expired) >= 1, TimeSpan.FromSeconds(10), "the snapshot to be read");
        Assert.Empty(h.Names("pod"));
        Assert.Equal(InformerState.Starting, h.Cache.Cache(h.Cluster, "pod")!.State);
        h.Api.Answer();
        await h.WaitSyncedAsync("pod");
        Assert.Empty(h.Names("pod"));
    }

    [Fact]
    public async Task SnapshotsAreWrittenAfterTheFirstSyncAndNeverHoldSecretValues()
    {
        const string password = "s3cr3t-hunter2-value";
        await using var h = await CacheHarness.StartAsync(options: new ClusterCacheOptions { SnapshotInterval = TimeSpan.FromMilliseconds(300) }, before: (api, _, _) =>
        {
            api.Put(FakeCachedKindsApi.Secrets, FakeCachedKindsApi.Secret("prod", "db", new() { ["password"] = password }, new() { ["token"] = password }));
            api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("prod", "web"));
        });
        await h.WaitSyncedAsync("secret", "pod");
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(password));

        // Eager write after the first sync, then a change reaches the next periodic pass.
        await Wait.ForAsync(async () => (await h.SnapshotTextAsync("secret")).Contains("\"db\"") ? true : (object?)null, TimeSpan.FromSeconds(10), "the secret snapshot");
        h.Api.Put(FakeCachedKindsApi.Secrets, FakeCachedKindsApi.Secret("prod", "api", new() { ["key"] = password }));
        await Wait.ForAsync(async () => (await h.SnapshotTextAsync("secret")).Contains("\"api\"") ? true : (object?)null, TimeSpan.FromSeconds(10), "the next snapshot");

        var container = h.Blobs.GetBlobContainerClient(SnapshotStore.ContainerName);
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, h.Cluster + "/", default))
        {
            var text = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
            Assert.DoesNotContain(password, text);
            Assert.DoesNotContain(base64, text);
        }
        var envelope = JsonDocument.Parse(await h.SnapshotTextAsync("secret")).RootElement;
        Assert.Equal((1, h.Cluster, "secret"), (envelope.GetProperty("version").GetInt32(), envelope.GetProperty("cluster").GetString(), envelope.GetProperty("kind").GetString()));
        Assert.True(envelope.TryGetProperty("wrote", out _) && envelope.TryGetProperty("resourceVersion", out _));
        Assert.Contains("redactedKeys", envelope.GetProperty("items").GetRawText());

        // Nor do the list and the stream: both read the same redacted bytes.
        var listed = await h.Cache.ListAsync(h.Cache.Cache(h.Cluster, "secret")!, ListQuery.Parse(null, null, null, null, null), null);
        var json = Encoding.UTF8.GetString(CacheJson.ListResponse("secret", h.Cluster, listed));
        Assert.DoesNotContain(password, json);
        Assert.DoesNotContain(base64, json);
    }

    [Fact]
    public async Task PruneDeletesOnlySnapshotsOlderThanTheMaxAge()
    {
        var snapshots = new SnapshotStore(new Azure.Storage.Blobs.BlobServiceClient((await AzuriteServer.Shared).ConnectionString));
        var (old, fresh) = (Catalyst.Domain.Deployments.DeploymentId.New(), Catalyst.Domain.Deployments.DeploymentId.New());
        var now = DateTimeOffset.UtcNow;
        await snapshots.WriteAsync(old, "pod", now - TimeSpan.FromMinutes(61), "1", [Cached("a", "x")], default);
        await snapshots.WriteAsync(fresh, "pod", now - TimeSpan.FromMinutes(59), "1", [Cached("a", "x")], default);

        var deleted = await snapshots.PruneAsync(TimeSpan.FromHours(1), now, default);

        Assert.Contains(SnapshotStore.BlobName(old, "pod"), deleted);
        Assert.DoesNotContain(SnapshotStore.BlobName(fresh, "pod"), deleted);
        Assert.Equal(HydrateOutcome.Missing, (await snapshots.ReadAsync(Pod, old, TimeSpan.FromHours(1), now, default)).Outcome);
        Assert.Equal(HydrateOutcome.Hydrated, (await snapshots.ReadAsync(Pod, fresh, TimeSpan.FromHours(1), now, default)).Outcome);
    }

    [Fact]
    public async Task ASnapshotOfAnotherClusterOrAnUnreadableOneFailsWithoutHarm()
    {
        var blobs = new Azure.Storage.Blobs.BlobServiceClient((await AzuriteServer.Shared).ConnectionString);
        var snapshots = new SnapshotStore(blobs);
        var (a, b, c) = (Catalyst.Domain.Deployments.DeploymentId.New(), Catalyst.Domain.Deployments.DeploymentId.New(), Catalyst.Domain.Deployments.DeploymentId.New());
        await snapshots.WriteAsync(a, "pod", DateTimeOffset.UtcNow, "1", [], default);
        var container = blobs.GetBlobContainerClient(SnapshotStore.ContainerName);
        await container.GetBlobClient(SnapshotStore.BlobName(b, "pod")).UploadAsync(BinaryData.FromString((await container.GetBlobClient(SnapshotStore.BlobName(a, "pod")).DownloadContentAsync()).Value.Content.ToString()));
        await container.GetBlobClient(SnapshotStore.BlobName(c, "pod")).UploadAsync(BinaryData.FromString("{not json"));

        Assert.Equal(HydrateOutcome.Failed, (await snapshots.ReadAsync(Pod, b, TimeSpan.FromHours(1), DateTimeOffset.UtcNow, default)).Outcome);
        Assert.Equal(HydrateOutcome.Failed, (await snapshots.ReadAsync(Pod, c, TimeSpan.FromHours(1), DateTimeOffset.UtcNow, default)).Outcome);
        await snapshots.DeleteClusterAsync(a, default);
        Assert.Equal(HydrateOutcome.Missing, (await snapshots.ReadAsync(Pod, a, TimeSpan.FromHours(1), DateTimeOffset.UtcNow, default)).Outcome);
    }
}
