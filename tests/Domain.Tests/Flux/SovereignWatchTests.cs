using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using Catalyst.Domain.ClusterCache;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Catalyst.Domain.Tests.Flux;

/// <summary>
/// The event-driven Phase-1 watch against a real Azurite and the fake API server's list+watch: transitions recorded as
/// they happen and once, a broken watch (connection cut, 410 Gone) resumed without missing a change, two replicas'
/// watches over one entry recording nothing twice, and the conclusion delivered.
/// </summary>
public sealed class SovereignWatchTests : IAsyncLifetime
{
    sealed class Conclusions : IWatchConclusions
    {
        public readonly ConcurrentQueue<WatchConclusion> Delivered = new();

        public Task DeliverAsync(string deploymentId, WatchConclusion conclusion, CancellationToken cancellationToken)
        {
            Delivered.Enqueue(conclusion);
            return Task.CompletedTask;
        }
    }

    static readonly WatchSettings Settings = new(TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(15), 1, TimeSpan.FromMinutes(5));

    FakeHelmReleaseApi api = null!;
    BlobServiceClient blobs = null!;
    DeploymentStore store = null!;
    EventLog events = null!;
    Vault vault = null!;
    WatchRegistry registry = null!;
    readonly Conclusions conclusions = new();

    public async Task InitializeAsync()
    {
        api = await FakeHelmReleaseApi.StartAsync();
        blobs = new BlobServiceClient((await AzuriteServer.Shared).ConnectionString);
        store = new DeploymentStore(blobs);
        events = new EventLog(blobs, Redactor.None);
        vault = new Vault(blobs, RandomNumberGenerator.GetBytes(32));
        registry = new WatchRegistry(blobs, 4, "t" + Guid.NewGuid().ToString("N")[..10]);
    }

    public async Task DisposeAsync() => await api.DisposeAsync();

    async Task<string> InTheWatchAsync(int run = 1)
    {
        var id = DeploymentId.New();
        await store.CreateAsync(new DeploymentRecord
        {
            Id = id, Run = run, Status = DeploymentStatuses.Phase1Watching, Phase = "phase1", Request = new DeploymentRequest { SovereignFqdn = "acme.omani.works" },
            KubeconfigBearerHash = "", StartedAt = DateTimeOffset.UtcNow,
        });
        await vault.PutAsync(id, VaultEntries.Kubeconfig, Encoding.UTF8.GetBytes(api.Kubeconfig(FakeHelmReleaseApi.Token + "." + id)));
        await registry.RegisterAsync(new WatchEntry { DeploymentId = id, Run = run, Settings = Settings, State = new WatchState { StartedAt = DateTime.UtcNow } }, default);
        return id;
    }

    SovereignWatch Watch(string id) => new(id, registry, store, events, new ProgressRecorder(store, events, TimeProvider.System), vault, sandbox: true, conclusions,
        new ClusterCacheOptions { Qps = 50, Burst = 100, MaxBackoff = TimeSpan.FromMilliseconds(200), AbsentKindRetry = TimeSpan.FromMilliseconds(200) },
        TimeProvider.System, NullLogger.Instance);

    async Task<List<DeploymentEvent>> ComponentEventsAsync(string id) =>
        (await new EventLog(blobs, Redactor.None).ReadAsync(id)).Where(e => e.Phase == "component").ToList();

    static string[] Installed(IEnumerable<DeploymentEvent> events) => events.Select(e => $"{e.Component}:{e.State}").ToArray();

    [Fact]
    public async Task EachTransitionIsRecordedAsItHappensAndTheGateConcludesOnce()
    {
        api.Installing(["bp-cilium", "bp-flux"], TimeSpan.FromMilliseconds(300));
        var id = await InTheWatchAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Watch(id).RunAsync(timeout.Token);

        var conclusion = Assert.Single(conclusions.Delivered);
        Assert.Equal(new WatchConclusion(1, WatchOutcomes.Ready, DeploymentStatuses.Ready, null), conclusion);
        var recorded = await ComponentEventsAsync(id);
        Assert.Equal(["cilium:pending", "flux:pending", "cilium:installing", "flux:installing", "cilium:installed", "flux:installed"], Installed(recorded));
        Assert.Equal(recorded.Count, recorded.Select(e => e.Key).Distinct().Count());
        var record = await store.GetAsync(id);
        Assert.Equal(new Dictionary<string, string> { ["cilium"] = "installed", ["flux"] = "installed" }, record!.Result!.ComponentStates);
        Assert.Contains(await events.ReadAsync(id), e => e.Key == $"{id}:1:all-reconciled");
        Assert.Equal(conclusion, (await registry.GetAsync(id, default))!.Entry.Conclusion);
        // It listed once and then only watched: no polling.
        Assert.Equal(1, api.Clusters[id].Lists);
    }

    [Fact]
    public async Task AWatchCutMidStreamOrExpiredResumesAndMissesNoTransition()
    {
        api.Installing(["bp-cilium", "bp-flux", "bp-gitea"], TimeSpan.FromMilliseconds(400));
        api.CutNextWatchAfter(2);
        var id = await InTheWatchAsync();
        var watch = Watch(id);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var running = watch.RunAsync(timeout.Token);
        await Wait.UntilAsync(() => api.WatchRequests >= 2, TimeSpan.FromSeconds(20), "the watch to be cut and opened again");
        api.GoneOnNextWatch(); // the next reconnect is told its resourceVersion is too old: it lists again
        await running;

        var recorded = await ComponentEventsAsync(id);
        foreach (var component in new[] { "cilium", "flux", "gitea" })
            Assert.Equal([$"{component}:pending", $"{component}:installing", $"{component}:installed"],
                Installed(recorded.Where(e => e.Component == component)));
        Assert.Equal(WatchOutcomes.Ready, Assert.Single(conclusions.Delivered).Outcome);
    }

    [Fact]
    public async Task TwoReplicasWatchingOneEntryRecordEachTransitionOnce()
    {
        api.Installing(["bp-cilium", "bp-flux"], TimeSpan.FromMilliseconds(300));
        var id = await InTheWatchAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Task.WhenAll(Watch(id).RunAsync(timeout.Token), Watch(id).RunAsync(timeout.Token));

        var recorded = await ComponentEventsAsync(id);
        Assert.Equal(6, recorded.Count);
        Assert.Equal(recorded.Count, recorded.Select(e => $"{e.Component}:{e.State}").Distinct().Count());
        // Both may deliver (the workflow takes the first); both deliver the same conclusion.
        Assert.All(conclusions.Delivered, c => Assert.Equal(WatchOutcomes.Ready, c.Outcome));
    }

    [Fact]
    public async Task AWatchRestartedOverItsEntryRecordsNothingAgain()
    {
        api.With("bp-cilium", new FakeHelmReleaseApi.Step(TimeSpan.Zero, null), new FakeHelmReleaseApi.Step(TimeSpan.FromMilliseconds(200), "Unknown", "Progressing"));
        var id = await InTheWatchAsync();
        using (var first = new CancellationTokenSource())
        {
            var running = Watch(id).RunAsync(first.Token);
            await Wait.ForAsync<object>(async () => (await ComponentEventsAsync(id)).Count == 2 ? true : null, TimeSpan.FromSeconds(20), "both transitions");
            await first.CancelAsync();
            await running.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        using var second = new CancellationTokenSource();
        var again = Watch(id).RunAsync(second.Token);
        await Wait.UntilAsync(() => api.Clusters[id].Lists >= 2, TimeSpan.FromSeconds(20), "the restarted watch to list");
        await Wait.UntilAsync(() => api.OpenWatches >= 1, TimeSpan.FromSeconds(20), "the restarted watch to follow the stream");
        Assert.Equal(2, (await ComponentEventsAsync(id)).Count);
        await second.CancelAsync();
        await again.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task AKubeconfigThatCannotBeUsedEndsTheWatchAsWatcherStartFailed()
    {
        var id = await InTheWatchAsync();
        await vault.PutAsync(id, VaultEntries.Kubeconfig, Encoding.UTF8.GetBytes("apiVersion: v1\nkind: Config\nclusters: []\n"));
        await Watch(id).RunAsync(CancellationToken.None);
        var conclusion = Assert.Single(conclusions.Delivered);
        Assert.Equal(WatchOutcomes.WatcherStartFailed, conclusion.Outcome);
        Assert.Contains(await events.ReadAsync(id), e => e.Key == $"{id}:1:watcher-start-failed" && e.Phase == "component");
    }

    [Fact]
    public async Task AWipedDeploymentLeavesTheWatch()
    {
        api.NeverReady(["bp-cilium"]);
        var id = await InTheWatchAsync();
        await store.UpdateAsync(id, r => r with { Status = DeploymentStatuses.Wiping });
        await Watch(id).RunAsync(CancellationToken.None);
        Assert.Null(await registry.GetAsync(id, default));
        Assert.Empty(conclusions.Delivered);
    }

    [Fact]
    public async Task ALaterRunsEntryReplacesAnEarlierOneAndIsNotRemovedByIt()
    {
        var id = await InTheWatchAsync(run: 1);
        var later = new WatchEntry { DeploymentId = id, Run = 2, Settings = Settings, State = new WatchState { StartedAt = DateTime.UtcNow } };
        Assert.Equal(2, (await registry.RegisterAsync(later, default)).Run);
        Assert.Equal(2, (await registry.RegisterAsync(later with { Run = 1 }, default)).Run);
        await registry.RemoveAsync(id, 1, default);
        Assert.Equal(2, (await registry.GetAsync(id, default))!.Entry.Run);
        Assert.Contains(id, await registry.ListShardAsync(registry.ShardOf(id), default));
        await registry.RemoveAsync(id, 2, default);
        Assert.Null(await registry.GetAsync(id, default));
    }
}
