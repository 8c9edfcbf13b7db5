using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Timers;

/// <summary>
/// Starts the workflow of any run left without one (<see cref="StrandedDeployments"/>). Safe on every replica at once:
/// the instance id is the deployment id, and a replica that finds a running workflow leaves it alone.
/// </summary>
public sealed class ResumeStrandedFunction(DeploymentStore store, Func<ProvisionSettings> settings, Func<WatchSettings> watch, TimeProvider time,
    ILogger<ResumeStrandedFunction> log)
{
    [Function(nameof(ResumeStranded))]
    public async Task ResumeStranded([TimerTrigger("30 * * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (page, total) = (0, int.MaxValue);
        for (var offset = 0; offset < total; offset += page)
        {
            var (items, all) = await store.ListAsync(offset, 200, cancellationToken: cancellationToken);
            (page, total) = (Math.Max(items.Count, 1), all);
            foreach (var candidate in items.Where(r => StrandedDeployments.MayBeStranded(r, now)))
            {
                // Decide on storage, not on the list's cached copy, and only when no workflow is running.
                if (await store.GetAsync(candidate.Id, cancellationToken) is not { } record || !StrandedDeployments.MayBeStranded(record, now)) continue;
                if (await client.GetInstanceAsync(record.Id, getInputsAndOutputs: false, cancellationToken) is { IsCompleted: false }) continue;
                log.LogWarning("Deployment {Id} run {Run} has said '{Step}' since {UpdatedAt} with no workflow running (its request died mid-way); starting it",
                    record.Id, record.Run, record.Step, record.UpdatedAt);
                try
                {
                    await new DurableWorkflowStarter(client, settings(), watch(), record.Run, StrandedDeployments.KubeconfigAlreadyReceived(record))
                        .StartAsync(record, cancellationToken);
                }
                catch (Exception e) when (e is InvalidOperationException or Grpc.Core.RpcException)
                {
                    log.LogInformation("Deployment {Id}: another replica started it first ({Message})", record.Id, e.Message);
                }
            }
        }
    }
}
