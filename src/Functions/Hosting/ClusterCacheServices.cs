using Catalyst.Domain.ClusterCache;
using Catalyst.Domain.Store;
using Catalyst.Functions.Http;
using Catalyst.Functions.Http.ClusterCache;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Functions.Hosting;

/// <summary>The cluster cache (reference D): its settings, snapshots,
/// the cache itself, its readiness and its runner.</summary>
public static class ClusterCacheServices
{
    public static IServiceCollection AddClusterCache(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings(_ => ClusterCacheOptions.From(configuration.Reader()));
        services.AddSingleton(sp => new SnapshotStore(sp.GetRequiredService<StorageConnection>().Blobs));
        services.AddSingleton(sp =>
            new SovereignCache(sp.GetRequiredService<ClusterCacheOptions>(), sp.GetRequiredService<SnapshotStore>(),
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>(), RefusedOnTimeline(sp)));
        services.AddSingleton<IClusterSource>(sp =>
            new VaultClusterSource(sp.GetRequiredService<DeploymentStore>(), sp.GetRequiredService<Vault>(),
            sp.GetRequiredService<Catalyst.Domain.Deployments.SandboxMode>().Enabled,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Catalyst.ClusterCache")));
        services.AddSingleton<IReadinessCheck, ClusterCacheReadinessCheck>();
        services.AddHostedService<ClusterCacheRunner>();
        return services;
    }

    /// <summary>
    /// A kind stopped for exceeding a limit goes on the deployment's timeline when the cluster is one of this
    /// Catalyst's deployments (on Catalyst-Zero the cluster id is the deployment id); once per (cluster, kind), by the
    /// event's key.
    /// </summary>
    static Func<string, string, string, CancellationToken, Task> RefusedOnTimeline(IServiceProvider services) =>
        async (cluster, kind, why, ct) =>
    {
        if (!Catalyst.Domain.Deployments.DeploymentId.IsValid(cluster)) return;
        if (await services.GetRequiredService<DeploymentStore>().GetAsync(cluster, ct) is null) return;
        await services.GetRequiredService<EventLog>().AppendAsync(cluster,
        [
            new Catalyst.Domain.Deployments.DeploymentEvent
            {
                Key = EventKeys.OutsideRun(cluster, "cluster-cache-refused", kind), Phase = Phases.ClusterCache,
                Level = Catalyst.Domain.Deployments.EventLevels.Warn,
                Time = services.GetRequiredService<TimeProvider>().GetUtcNow(),
                Message =
                    $"The cluster cache stopped reading {kind} from this Sovereign's API: {why}. " +
                    "Other kinds are unaffected; it is read again once the cluster is registered anew.",
            },
        ], ct);
    };
}

/// <summary>
/// Runs the cache in either host: loads the kinds, registers every cluster on record, starts the informers, then
/// rescans every <c>CATALYST_K8SCACHE_RESCAN_INTERVAL</c> for postbacks another replica received and for wipes.
/// Start returns at once (the work is in the background) so no Sovereign can delay the HTTP server (issue #530).
/// </summary>
public sealed class ClusterCacheRunner(SovereignCache cache, IClusterSource source, ILogger<ClusterCacheRunner> log)
    : IHostedService
{
    readonly CancellationTokenSource stopping = new();
    Task running = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        running = Task.Run(() => RunAsync(stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    async Task RunAsync(CancellationToken cancellationToken)
    {
        var options = cache.Options;
        if (!options.Enabled)
        {
            log.LogInformation(
                "Cluster cache disabled (CATALYST_K8SCACHE_ENABLED=false): " +
                "the k8s endpoints answer 404 for every Sovereign");
            return;
        }
        try
        {
            cache.UseKinds(await KindSources.LoadAsync(options, KindSources.InCluster, log, cancellationToken));
            await ReconcileAsync(cancellationToken);
            cache.Start();
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(options.RescanInterval, cancellationToken);
                await ReconcileAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        try
        {
            await cache.ReconcileAsync(source, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Storage that does not answer leaves the clusters as they are; the next rescan tries again.
            log.LogWarning("Cluster cache rescan failed: {Why}", e.Message.Split('\n')[0]);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken)
            .ContinueWith(_ => { }, TaskScheduler.Default);
        await cache.StopAsync(TimeSpan.FromSeconds(3));
    }
}
