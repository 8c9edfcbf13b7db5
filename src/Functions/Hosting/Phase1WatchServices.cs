using Catalyst.Domain.ClusterCache;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Functions.Activities;
using Catalyst.Functions.Orchestrations;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Hosting;

/// <summary>The Phase-1 watch (issue 16): the registry, this
/// replica's supervisor and its runner, in both hosts.</summary>
public static class Phase1WatchServices
{
    public static IServiceCollection AddPhase1Watch(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings(_ => WatchSharing.From(configuration.Reader()));
        // Per task hub, as the engine's own tables and queues are: the replicas of one hub share the watch.
        var hub = configuration[$"{DurableEngineSettings.Section}:hubName"] is { Length: > 0 } name ? name : "catalyst";
        services.AddSingleton(sp => new WatchRegistry(sp.GetRequiredService<StorageConnection>().Blobs,
            sp.GetRequiredService<WatchSharing>().Shards, hub));
        services.AddSingleton(sp => new ProgressRecorder(sp.GetRequiredService<DeploymentStore>(),
            sp.GetRequiredService<EventLog>(), sp.GetRequiredService<TimeProvider>()));
        // Standalone has a Durable client in its services; the isolated
        // worker gets one from the watch activities' bindings.
        services.AddSingleton(sp => new WorkflowClients(sp.GetService<DurableTaskClient>()));
        services.AddSingleton<IWatchConclusions, WatchConclusionEvents>();
        services.AddSingleton(sp =>
        {
            // The cluster cache's bounds on what a tenant's API server may send; a gentler request budget (one kind per
            // Sovereign), and a missing HelmRelease CRD (Flux not installed yet) asked about again every 10 s, not
            // every 5 min. At most 1 000 HelmReleases (a bootstrap kit is ~40, otech48): every change re-reads them
            // all, so a tenant's cluster with the cache's 50 000 would make each of its events cost 50 000 parses; past
            // the cap the watch stops, named.
            var informer = sp.GetRequiredService<ClusterCacheOptions>() with
            {
                Qps = 5, Burst = 10, MaxBackoff = TimeSpan.FromSeconds(10), AbsentKindRetry = TimeSpan.FromSeconds(10),
                MaxObjectsPerKind = 1000,
            };
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            return new WatchSupervisor(sp.GetRequiredService<WatchRegistry>(), sp.GetRequiredService<WatchSharing>(),
                id => new SovereignWatch(id, sp.GetRequiredService<WatchRegistry>(),
                    sp.GetRequiredService<DeploymentStore>(), sp.GetRequiredService<EventLog>(),
                    sp.GetRequiredService<ProgressRecorder>(), sp.GetRequiredService<Vault>(),
                    sp.GetRequiredService<SandboxMode>().Enabled,
                    sp.GetRequiredService<IWatchConclusions>(), informer, sp.GetRequiredService<TimeProvider>(),
                    loggers.CreateLogger("Catalyst.Phase1Watch")),
                sp.GetRequiredService<TimeProvider>(), loggers.CreateLogger("Catalyst.Phase1Watch"));
        });
        services.AddSingleton<WatchStart>();
        services.AddHostedService<Phase1WatchRunner>();
        return services;
    }
}

/// <summary>Runs this replica's <see cref="WatchSupervisor"/> for
/// the life of the host; on stop it releases its shards.</summary>
public sealed class Phase1WatchRunner(WatchSupervisor supervisor) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Run(() => supervisor.RunAsync(stoppingToken), CancellationToken.None);
}

/// <summary>Delivers a watch's conclusion as the <see cref="TaskNames.WatchConcludedEvent"/>
/// event on the deployment's workflow.</summary>
public sealed class WatchConclusionEvents(WorkflowClients clients, ILogger<WatchConclusionEvents> log)
    : IWatchConclusions
{
    public async Task DeliverAsync(string deploymentId, WatchConclusion conclusion, CancellationToken cancellationToken)
    {
        if (await clients.GetAsync(TimeSpan.FromSeconds(30), cancellationToken) is not { } client)
        {
            log.LogInformation(
                "Phase-1 watch of {DeploymentId} concluded {Outcome}; no Durable client here yet, " +
                "so the workflow's check-in collects it",
                deploymentId, conclusion.Outcome);
            return;
        }
        // Raised by two replicas (a lease handover) or twice by one: the workflow takes the first and ends once.
        await WorkflowInstances.RaiseIfActiveAsync(client, deploymentId, TaskNames.WatchConcludedEvent, conclusion,
            cancellationToken);
    }
}
