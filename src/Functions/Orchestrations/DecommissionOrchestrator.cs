using Catalyst.Domain.Deployments;
using Catalyst.Functions.Activities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Functions.Orchestrations;

/// <summary>
/// Wipe (DESIGN §3 Decommission): tofu destroy against the same state, DNS removal, a sweep for what still
/// carries the owner label, then the secrets. Every step is idempotent, so a second wipe finishes what the
/// first could not, and a wipe of a wiped deployment changes nothing.
/// </summary>
public sealed class DecommissionOrchestrator : TaskOrchestrator<WipeInput, WipeReport>
{
    [Function(TaskNames.Decommission)]
    public Task<WipeReport> Run([OrchestrationTrigger] TaskOrchestrationContext context) =>
        RunAsync(context, context.GetInput<WipeInput>()!);

    static readonly IReadOnlyList<string> Wiping = [DeploymentStatuses.Wiping];

    public const string TofuSlotWaitMessage =
        "Wipe: waiting for a free tofu slot (every replica runs at most CATALYST_TOFU_MAX_PARALLEL tofu at once); " +
        "the destroy starts on the first replica with room";

    public override async Task<WipeReport> RunAsync(TaskOrchestrationContext context, WipeInput input)
    {
        var steps = new WorkflowSteps(context, input.DeploymentId, input.Run, Phases.Wipe);
        try
        {
            return await RunStepsAsync(context, input, steps);
        }
        catch (Exception e)
        {
            // The record must not say 'wiping' for ever (a wipe request answers 202 to a wiping record): it ends
            // failed, and a new wipe request, which every step tolerates, finishes the job.
            await steps.FailWorkflowAsync(e, Wiping);
            return new WipeReport { NeedsOperator =
                [$"the wipe workflow failed in {steps.CurrentPhase}; see the deployment's error and wipe again"] };
        }
    }

    static async Task<WipeReport> RunStepsAsync(TaskOrchestrationContext context, WipeInput input, WorkflowSteps steps)
    {
        await steps.RecordAsync(Phases.Wipe, Steps.TofuDestroy, 10,
            "Wipe: destroying the Sovereign's cloud resources with tofu destroy");
        TofuDestroyResult destroy;
        try
        {
            // Like an apply: no free tofu slot on the replica that
            // took it is a durable wait and another ask (TofuSlots).
            destroy = await TofuSlots.CallAsync<TofuDestroyResult>(context, TaskNames.TofuDestroy,
                input with { AnswerNoSlot = true }, ActivityRetries.Default,
                d => d.NoSlot,
                () => steps.RecordAsync(Phases.Wipe, Steps.TofuDestroySlotWait, 10, TofuSlotWaitMessage));
        }
        catch (TaskFailedException e)
        {
            destroy = new TofuDestroyResult(false,
                $"tofu destroy did not complete after retries: {e.FailureDetails.ErrorMessage}");
        }

        var dnsRemoved = new List<string>();
        var needsOperator = new List<string>();
        var released = false;
        if (input.Pool is { } pool)
        {
            await steps.RecordAsync(Phases.Wipe, Steps.DnsUnpublish, 50,
                $"Wipe: removing DNS records of {pool.Subdomain}.{pool.PoolDomain}");
            try
            {
                var removed = await context.CallActivityAsync<UnpublishDnsResult>(DnsActivityNames.UnpublishDns,
                    new UnpublishDnsInput(input.DeploymentId, pool.PoolDomain, pool.Subdomain),
                    ActivityRetries.Default);
                dnsRemoved.AddRange(removed.Removed);
                released = await context.CallActivityAsync<bool>(TaskNames.ReleaseSubdomain,
                    new SubdomainClaim(input.DeploymentId, pool.PoolDomain, pool.Subdomain), ActivityRetries.Default);
            }
            catch (TaskFailedException e)
            {
                needsOperator.Add(
                    $"DNS records of {pool.Subdomain}.{pool.PoolDomain} were not " +
                    $"removed: {e.FailureDetails.ErrorMessage}");
            }
        }

        await steps.RecordAsync(Phases.Wipe, Steps.Sweep, 70,
            "Wipe: listing cloud objects that still carry the deployment's owner label");
        var leftovers = await context.CallActivityAsync<IReadOnlyList<string>>(TaskNames.SweepLeftovers,
            input.DeploymentId, ActivityRetries.Default);

        var report = new WipeReport
        {
            TofuDestroyed = destroy.Succeeded,
            TofuError = destroy.Error,
            DnsRemoved = dnsRemoved,
            ReservationReleased = released,
            Leftovers = leftovers,
            NeedsOperator = [.. needsOperator, .. leftovers],
        };
        return await context.CallActivityAsync<WipeReport>(TaskNames.FinishWipe,
            new FinishWipeInput(input.DeploymentId, input.Run, report), ActivityRetries.Default);
    }
}
