using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Timers;

/// <summary>
/// Starts the workflow of any deployment left queued without one (<see cref="StrandedDeployments"/>). Safe on every
/// replica at once: the instance id is the deployment id, so a second start of the same workflow is refused by the engine.
/// </summary>
public sealed class ResumeStrandedFunction(DeploymentStore store, Func<ProvisionSettings> settings, Func<WatchSettings> watch, TimeProvider time,
    ILogger<ResumeStrandedFunction> log)
{
    [Function(nameof(ResumeStranded))]
    public async Task ResumeStranded([TimerTrigger("30 * * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var starter = new DurableWorkflowStarter(client, settings(), watch());
        var now = time.GetUtcNow();
        var (page, total) = (0, int.MaxValue);
        for (var offset = 0; offset < total; offset += page)
        {
            var (items, all) = await store.ListAsync(offset, 200, cancellationToken: cancellationToken);
            (page, total) = (Math.Max(items.Count, 1), all);
            foreach (var candidate in items.Where(r => StrandedDeployments.MayBeStranded(r, now)))
            {
                // Decide on storage, not on the list's cached copy.
                if (await store.GetAsync(candidate.Id, cancellationToken) is not { } record || !StrandedDeployments.MayBeStranded(record, now)) continue;
                if (await starter.ExistsAsync(record.Id, cancellationToken)) continue;
                log.LogWarning("Deployment {Id} was queued at {UpdatedAt} and has no workflow (its request died mid-way); starting it", record.Id, record.UpdatedAt);
                try
                {
                    await starter.StartAsync(record, cancellationToken);
                }
                catch (Exception e) when (e is InvalidOperationException or Grpc.Core.RpcException)
                {
                    log.LogInformation("Deployment {Id}: another replica started it first ({Message})", record.Id, e.Message);
                }
            }
        }
    }
}
