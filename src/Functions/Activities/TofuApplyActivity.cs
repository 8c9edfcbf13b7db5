using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Domain.Tofu;
using Catalyst.Functions.Hosting;
using Catalyst.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Hosting;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Functions.Activities;

/// <param name="AnswerNoSlot">The caller understands <see cref="TofuApplyResult.NoSlot"/> (workflows since issue 16). A
/// call without it — a workflow of the previous version, on a replica not yet updated during a rolling update — waits
/// for a slot here as before, so it is never handed an answer it would read as a failure.</param>
public sealed record TofuApplyInput(string DeploymentId, int Run, bool AnswerNoSlot = false);

/// <summary>
/// Either the outputs, or why the apply failed and who must act. Transient failures throw instead, so the workflow's
/// retry policy runs them again. <see cref="NoSlot"/>: this replica had no free tofu slot, so nothing ran — not a
/// failure; the workflow asks again after a durable timer, and whichever replica has room takes it (issue 16).
/// </summary>
public sealed record TofuApplyResult(bool Succeeded, string SovereignFqdn, string ControlPlaneIp, string LoadBalancerIp,
    string? Error = null, DeploymentFailure? Failure = null,
    bool NoSlot = false)
{
    public static readonly TofuApplyResult NoSlotHere = new(false, "", "", "", NoSlot: true);
}

/// <summary>
/// Runs OpenTofu for one deployment: inputs from the record, secrets from the vault and configuration into the
/// child's environment only, state in the app's own http backend. Safe to run twice: tofu converges on its state.
/// It takes one of this replica's tofu slots first, waiting at most <see cref="TofuSlot.LocalWait"/>: with none free by
/// then it answers <see cref="TofuApplyResult.NoSlotHere"/> — no record read, no tofu, no state lock, no timeline line
/// — so the work item does not sit on this replica while another has room.
/// </summary>
public sealed class TofuApplyActivity(TofuRunContext tofu, IHostApplicationLifetime lifetime)
    : TaskActivity<TofuApplyInput, TofuApplyResult>
{
    [Function(TaskNames.TofuApply)]
    public Task<TofuApplyResult> Run([ActivityTrigger] TofuApplyInput input) => RunAsync(null!, input);

    public override async Task<TofuApplyResult> RunAsync(TaskActivityContext context, TofuApplyInput input)
    {
        using var slot = input.AnswerNoSlot
            ? await tofu.Runner.TryTakeSlotAsync(TofuSlot.LocalWait, lifetime.ApplicationStopping) : null;
        if (slot is null && input.AnswerNoSlot)
        {
            tofu.NoSlot(input.DeploymentId, "apply");
            return TofuApplyResult.NoSlotHere;
        }
        using var timer = Catalyst.Domain.Metrics.CatalystMetrics.TimePhase("tofu");
        await using var run = await tofu.PrepareAsync(input.DeploymentId, input.Run, lifetime.ApplicationStopping);
        try
        {
            var outputs = slot is null
                ? await tofu.Runner.ApplyAsync(run.Invocation, run.OnPhaseAsync, run.OnLineAsync,
                    lifetime.ApplicationStopping)
                : await tofu.Runner.ApplyAsync(slot, run.Invocation, run.OnPhaseAsync, run.OnLineAsync,
                    lifetime.ApplicationStopping);
            return new TofuApplyResult(true, run.SovereignFqdn, outputs.ControlPlaneIp, outputs.LoadBalancerIp);
        }
        catch (TofuException e) when (!e.Transient)
        {
            await run.FlushAsync();
            var actor = TofuFailures.ActorFor(e);
            return new TofuApplyResult(false, run.SovereignFqdn, "", "", run.Redact(e.Message),
                new DeploymentFailure(TofuFailures.CodeFor(e), Phases.Tofu, actor,
                    e.Detail is null ? null : run.Redact(e.Detail)));
        }
    }
}
