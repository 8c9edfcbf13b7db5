using Catalyst.Domain.Creation;
using Catalyst.Functions.Activities;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Microsoft.DurableTask.Client;

namespace Catalyst.Functions.Orchestrations;

/// <summary>
/// Starts ProvisionSovereign with the deployment id as instance id, so there is one workflow per deployment, and never
/// over a pending or running one of the same run (<see cref="WorkflowInstances.StartUnlessActiveAsync"/>): a replica's
/// timer, a retried create and a late kubeconfig may all try at once.
/// </summary>
public sealed class DurableWorkflowStarter(DurableTaskClient client, ProvisionSettings settings, WatchSettings watch,
    int run = 1, bool kubeconfigAlreadyReceived = false)
    : IWorkflowStarter
{
    /// <summary>How long a new run waits for the previous run's instance to finish before it terminates it.</summary>
    static readonly TimeSpan StaleRunGrace = TimeSpan.FromSeconds(10);

    public Task StartAsync(DeploymentRecord record, CancellationToken cancellationToken) =>
        TryStartAsync(record, cancellationToken);

    /// <summary>False when nothing was started: a workflow of this run was already pending or running.</summary>
    public async Task<bool> TryStartAsync(DeploymentRecord record, CancellationToken cancellationToken)
    {
        // A retry or a late kubeconfig starts run N+1 right after run N wrote its outcome, while run N's instance may
        // still be finishing. That one is stale (its writes are refused by run number): let it end, then start.
        var existing = await client.GetInstanceAsync(record.Id, getInputsAndOutputs: true, cancellationToken);
        if (WorkflowInstances.IsActive(existing) && WorkflowInstances.RunOf(existing!) is { } current && current < run)
            await EndStaleRunAsync(record.Id, current, cancellationToken);
        return await WorkflowInstances.StartUnlessActiveAsync(client, TaskNames.ProvisionSovereign,
            new ProvisionInput(record.Id, run, settings.KubeconfigArrivalTimeout, watch, PoolName.Of(record),
                kubeconfigAlreadyReceived),
            record.Id, cancellationToken);
    }

    public async Task<bool> ExistsAsync(string deploymentId, CancellationToken cancellationToken) =>
        await client.GetInstanceAsync(deploymentId, getInputsAndOutputs: false, cancellationToken) is not null;

    async Task EndStaleRunAsync(string id, int staleRun, CancellationToken cancellationToken)
    {
        if (await FinishedWithinAsync(id, cancellationToken)) return;
        await client.TerminateInstanceAsync(id, $"superseded by run {run} (was run {staleRun})", cancellationToken);
        await FinishedWithinAsync(id, cancellationToken);
        // Still running: the start below refuses, the record keeps
        // saying its run is starting, and ResumeStranded starts it.
    }

    async Task<bool> FinishedWithinAsync(string id, CancellationToken cancellationToken)
    {
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(StaleRunGrace);
        try
        {
            await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: false, grace.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
