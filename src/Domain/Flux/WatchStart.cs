using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;

namespace Catalyst.Domain.Flux;

/// <summary>
/// Puts a deployment in the Phase-1 watch and takes it out again. In: the arrival step on the timeline first (so
/// "kubeconfig received" comes before every component event), then the registry entry, then this replica's supervisor
/// is nudged to watch it now. The kubeconfig PUT does this when the workflow already waits for it (no queue hop
/// between the postback and the first listing); the workflow's BeginWatch does it otherwise, and finds an entry the PUT
/// wrote already there (the same run's registration changes nothing).
/// </summary>
public sealed class WatchStart(ProgressRecorder progress, WatchRegistry registry, WatchSupervisor supervisor)
{
    public async Task BeginAsync(WatchEntry entry, ProgressUpdate? arrival, CancellationToken cancellationToken)
    {
        if (arrival is not null) await progress.RecordAsync(arrival, cancellationToken);
        await registry.RegisterAsync(entry, cancellationToken);
        supervisor.Nudge(entry.DeploymentId);
    }

    /// <summary>Out of the registry (unless a later run's entry replaced
    /// this one's), and this replica stops watching it now.</summary>
    public async Task EndAsync(string deploymentId, int run, CancellationToken cancellationToken)
    {
        await registry.RemoveAsync(deploymentId, run, cancellationToken);
        supervisor.Forget(deploymentId);
    }
}
