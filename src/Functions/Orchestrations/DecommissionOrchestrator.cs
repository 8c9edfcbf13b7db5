using Catalyst.Domain.Deployments;
using Catalyst.Functions.Activities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Catalyst.Functions.Orchestrations;

/// <summary>
/// Wipe (DESIGN §3 Decommission): tofu destroy against the same state, DNS removal, a sweep for what still
/// carries the owner label, then the secrets. Every step is idempotent, so a second wipe finishes what the
/// first could not, and a wipe of a wiped deployment changes nothing.
/// </summary>
public sealed class DecommissionOrchestrator : TaskOrchestrator<WipeInput, WipeReport>
{
    static readonly TaskOptions Retries = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(10), 2));

    [Function(TaskNames.Decommission)]
    public Task<WipeReport> Run([OrchestrationTrigger] TaskOrchestrationContext context) => RunAsync(context, context.GetInput<WipeInput>()!);

    public override async Task<WipeReport> RunAsync(TaskOrchestrationContext context, WipeInput input)
    {
        var steps = new WorkflowSteps(context, input.DeploymentId, input.Run);
        await steps.RecordAsync("wipe", "tofu-destroy", 10, "Wipe: destroying the Sovereign's cloud resources with tofu destroy");
        TofuDestroyResult destroy;
        try
        {
            destroy = await context.CallActivityAsync<TofuDestroyResult>(TaskNames.TofuDestroy, input, Retries);
        }
        catch (TaskFailedException e)
        {
            destroy = new TofuDestroyResult(false, $"tofu destroy did not complete after retries: {e.FailureDetails.ErrorMessage}");
        }

        var dnsRemoved = new List<string>();
        var needsOperator = new List<string>();
        var released = false;
        if (input.Pool is { } pool)
        {
            await steps.RecordAsync("wipe", "dns-unpublish", 50, $"Wipe: removing DNS records of {pool.Subdomain}.{pool.PoolDomain}");
            try
            {
                var removed = await context.CallActivityAsync<UnpublishDnsResult>(DnsActivityNames.UnpublishDns,
                    new UnpublishDnsInput(input.DeploymentId, pool.PoolDomain, pool.Subdomain), Retries);
                dnsRemoved.AddRange(removed.Removed);
                released = await context.CallActivityAsync<bool>(TaskNames.ReleaseSubdomain, new SubdomainClaim(input.DeploymentId, pool.PoolDomain, pool.Subdomain), Retries);
            }
            catch (TaskFailedException e)
            {
                needsOperator.Add($"DNS records of {pool.Subdomain}.{pool.PoolDomain} were not removed: {e.FailureDetails.ErrorMessage}");
            }
        }

        await steps.RecordAsync("wipe", "sweep", 70, "Wipe: listing cloud objects that still carry the deployment's owner label");
        var leftovers = await context.CallActivityAsync<IReadOnlyList<string>>(TaskNames.SweepLeftovers, input.DeploymentId, Retries);

        var report = new WipeReport
        {
            TofuDestroyed = destroy.Succeeded,
            TofuError = destroy.Error,
            DnsRemoved = dnsRemoved,
            ReservationReleased = released,
            Leftovers = leftovers,
            NeedsOperator = [.. needsOperator, .. leftovers],
        };
        return await context.CallActivityAsync<WipeReport>(TaskNames.FinishWipe, new FinishWipeInput(input.DeploymentId, input.Run, report), Retries);
    }
}
