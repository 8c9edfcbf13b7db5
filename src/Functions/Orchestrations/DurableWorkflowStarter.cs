using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Catalyst.Functions.Orchestrations;

/// <summary>Starts ProvisionSovereign with the deployment id as instance id, so there is one workflow per deployment.</summary>
public sealed class DurableWorkflowStarter(DurableTaskClient client, ProvisionSettings settings, WatchSettings watch, int run = 1, bool kubeconfigAlreadyReceived = false)
    : IWorkflowStarter
{
    public Task StartAsync(DeploymentRecord record, CancellationToken cancellationToken) =>
        client.ScheduleNewOrchestrationInstanceAsync(TaskNames.ProvisionSovereign,
            new ProvisionInput(record.Id, run, settings.KubeconfigArrivalTimeout, watch, PoolName.Of(record), kubeconfigAlreadyReceived),
            new StartOrchestrationOptions(record.Id), cancellationToken);

    public async Task<bool> ExistsAsync(string deploymentId, CancellationToken cancellationToken) =>
        await client.GetInstanceAsync(deploymentId, getInputsAndOutputs: false, cancellationToken) is not null;
}
