using Catalyst.Domain.Deployments;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Catalyst.Functions.Orchestrations;

/// <summary>Starts ProvisionSovereign with the deployment id as instance id, so there is one workflow per deployment.</summary>
public sealed class DurableWorkflowStarter(DurableTaskClient client, ProvisionSettings settings, int run = 1) : IWorkflowStarter
{
    public Task StartAsync(string deploymentId, CancellationToken cancellationToken) =>
        client.ScheduleNewOrchestrationInstanceAsync(TaskNames.ProvisionSovereign,
            new ProvisionInput(deploymentId, run, settings.KubeconfigArrivalTimeout),
            new StartOrchestrationOptions(deploymentId), cancellationToken);
}
