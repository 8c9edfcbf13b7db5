using System.Text.Json;
using Azure.Storage.Blobs;
using Catalyst.Domain.ClusterCache;
using Catalyst.Domain.Deployments;
using Catalyst.Functions.Timers;
using Catalyst.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Catalyst.Functions.Tests.Timers;

public class PruneSnapshotsFunctionTests
{
    [Fact]
    public async Task DeletesOnlySnapshotsOlderThanTheMaxAge()
    {
        var snapshots = new SnapshotStore(new BlobServiceClient((await AzuriteServer.Shared).ConnectionString));
        var pod = KindRegistry.WithDefaults().Find("pod")!;
        var item = CachedObject.From(JsonDocument.Parse("""{"metadata":{"name":"p","namespace":"n"}}""").RootElement, pod, "Pod")!;
        var (old, recent) = (DeploymentId.New(), DeploymentId.New());
        await snapshots.WriteAsync(old, "pod", DateTimeOffset.UtcNow - TimeSpan.FromHours(2), "1", [item], default);
        await snapshots.WriteAsync(old, "deployment", DateTimeOffset.UtcNow - TimeSpan.FromMinutes(61), "1", [], default);
        await snapshots.WriteAsync(recent, "pod", DateTimeOffset.UtcNow - TimeSpan.FromMinutes(50), "1", [item], default);

        var function = new PruneSnapshotsFunction(snapshots, new ClusterCacheOptions(), TimeProvider.System, NullLogger<PruneSnapshotsFunction>.Instance);
        await function.PruneSnapshots(new TimerInfo(), CancellationToken.None);

        var now = DateTimeOffset.UtcNow;
        Assert.Equal(HydrateOutcome.Missing, (await snapshots.ReadAsync(pod, old, TimeSpan.FromDays(1), now, default)).Outcome);
        Assert.Equal(HydrateOutcome.Missing, (await snapshots.ReadAsync(KindRegistry.WithDefaults().Find("deployment")!, old, TimeSpan.FromDays(1), now, default)).Outcome);
        Assert.Equal(HydrateOutcome.Hydrated, (await snapshots.ReadAsync(pod, recent, TimeSpan.FromDays(1), now, default)).Outcome);
    }
}
