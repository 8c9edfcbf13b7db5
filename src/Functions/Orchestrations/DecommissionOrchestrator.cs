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

        await steps.RecordAsync("wipe", "sweep", 70, "Wipe: listing cloud objects that still carry the deployment's owner label");
        var leftovers = await context.CallActivityAsync<IReadOnlyList<string>>(TaskNames.SweepLeftovers, input.DeploymentId, Retries);

        var report = new WipeReport
        {
            TofuDestroyed = destroy.Succeeded,
            TofuError = destroy.Error,
            Leftovers = leftovers,
            NeedsOperator = leftovers,
        };
        return await context.CallActivityAsync<WipeReport>(TaskNames.FinishWipe, new FinishWipeInput(input.DeploymentId, input.Run, report), Retries);
    }
}
