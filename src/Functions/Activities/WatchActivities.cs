using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Catalyst.Functions.Activities;

public sealed record HelmReleaseListing(string Kind, IReadOnlyList<HelmReleaseSnapshot> Releases, string? Error)
{
    public const string Listed = "listed", Unreachable = "unreachable", Unusable = "unusable";
}

/// <summary>One poll of the Sovereign's HelmReleases, with the kubeconfig from the vault (never in history).</summary>
public sealed class ReadHelmReleasesActivity(DeploymentStore store, Vault vault, HelmReleaseReader reader, SandboxMode sandbox) : TaskActivity<string, HelmReleaseListing>
{
    [Function(TaskNames.ReadHelmReleases)]
    public Task<HelmReleaseListing> Run([ActivityTrigger] string deploymentId) => RunAsync(null!, deploymentId);

    public override async Task<HelmReleaseListing> RunAsync(TaskActivityContext context, string deploymentId)
    {
        var kubeconfig = await vault.GetAsync(deploymentId, VaultEntries.Kubeconfig);
        if (kubeconfig is null) return new HelmReleaseListing(HelmReleaseListing.Unusable, [], "no kubeconfig in the vault");
        // Issue 15: the stored kubeconfig meets the postback's rules again (one stored before them may point anywhere).
        if (await store.GetAsync(deploymentId) is not { } record) return new HelmReleaseListing(HelmReleaseListing.Unusable, [], "no deployment record");
        if (SovereignKubeconfig.Read(kubeconfig, record, sandbox.Enabled).Refusal is { } refusal)
            return new HelmReleaseListing(HelmReleaseListing.Unusable, [], $"kubeconfig refused: {refusal}");
        return await reader.ListAsync(kubeconfig, CancellationToken.None) switch
        {
            HelmReleaseReader.Listed listed => new HelmReleaseListing(HelmReleaseListing.Listed, listed.Releases, null),
            HelmReleaseReader.Unusable unusable => new HelmReleaseListing(HelmReleaseListing.Unusable, [], unusable.Error),
            HelmReleaseReader.Unreachable unreachable => new HelmReleaseListing(HelmReleaseListing.Unreachable, [], unreachable.Error),
            var other => throw new InvalidOperationException(other.GetType().Name),
        };
    }
}

/// <summary>The watch's first poll with the step before it (kubeconfig received) recorded in the same activity.</summary>
public sealed class BeginWatchActivity(DeploymentStore store, EventLog events, TimeProvider time, Vault vault, HelmReleaseReader reader, SandboxMode sandbox)
    : TaskActivity<ProgressUpdate, HelmReleaseListing>
{
    [Function(TaskNames.BeginWatch)]
    public Task<HelmReleaseListing> Run([ActivityTrigger] ProgressUpdate arrival) => RunAsync(null!, arrival);

    public override async Task<HelmReleaseListing> RunAsync(TaskActivityContext context, ProgressUpdate arrival)
    {
        await new RecordProgressActivity(store, events, time).RunAsync(context, arrival);
        return await new ReadHelmReleasesActivity(store, vault, reader, sandbox).RunAsync(context, arrival.DeploymentId);
    }
}

public sealed record ComponentUpdate(string DeploymentId, int Run, IReadOnlyList<WatchState.Transition> Transitions, Dictionary<string, string> States);

/// <summary>Writes component transitions as events (one key per transition) and the current states onto the record.</summary>
public sealed class RecordComponentsActivity(DeploymentStore store, EventLog events, TimeProvider time) : TaskActivity<ComponentUpdate, bool>
{
    [Function(TaskNames.RecordComponents)]
    public Task<bool> Run([ActivityTrigger] ComponentUpdate update) => RunAsync(null!, update);

    public override async Task<bool> RunAsync(TaskActivityContext context, ComponentUpdate update)
    {
        var now = time.GetUtcNow();
        var record = await store.UpdateAsync(update.DeploymentId, r => r.Run != update.Run ? null : r with
        {
            Result = (r.Result ?? new DeploymentResult { SovereignFqdn = r.Request.SovereignFqdn }) with { ComponentStates = update.States },
        });
        if (record is null || record.Run != update.Run) return false;
        foreach (var t in update.Transitions) Catalyst.Domain.Metrics.CatalystMetrics.WatchTransitions.WithLabels(t.State).Inc();
        await events.AppendAsync(update.DeploymentId, update.Transitions.Select(t => new DeploymentEvent
        {
            Key = $"{update.DeploymentId}:{update.Run}:component:{t.Component}:{t.Index}",
            Time = now,
            Phase = "component",
            Component = t.Component,
            State = t.State,
            Level = ComponentStates.LevelOf(t.State),
            Message = t.Message,
        }).ToList(), CancellationToken.None);
        return true;
    }
}
