using Catalyst.Domain.Deployments;
using Catalyst.Domain.Hetzner;
using Catalyst.Domain.Store;
using Catalyst.Domain.Tofu;
using Catalyst.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Hosting;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Functions.Activities;

/// <param name="AnswerNoSlot">TofuDestroy may answer <see cref="TofuDestroyResult.NoSlot"/>: set by the wipe workflow
/// since issue 16 on its call; without it (a workflow of the previous version during a rolling update) destroy waits
/// for a slot.</param>
public sealed record WipeInput(string DeploymentId, int Run, PoolName? Pool = null, bool AnswerNoSlot = false);

/// <param name="NoSlot">This replica had no free tofu slot: nothing was
/// destroyed, not a failure; the wipe asks again (issue 16).</param>
public sealed record TofuDestroyResult(bool Succeeded, string? Error, bool NoSlot = false);

/// <summary>
/// <c>tofu destroy</c> against the deployment's state; a failure is reported, not thrown, so the wipe can say what is
/// left. Terminating the provisioning workflow does not stop an apply that is running on some replica, so the wipe
/// first asks it to stop (its runner interrupts tofu, which saves the resource in flight and unlocks) and gives it
/// <see cref="ApplyStopWait"/>; destroy then takes the lock, from a stubborn apply too (a wipe's destroy overrides an
/// apply). Like an apply, it runs only in a tofu slot that is free now; without one it answers
/// <see cref="TofuDestroyResult.NoSlot"/> and the wipe asks again later, wherever there is room. The stop request comes
/// before the slot check, so an apply that holds the last slot of this replica is stopped (and frees it) rather than
/// waited for.
/// </summary>
public sealed class TofuDestroyActivity(TofuRunContext tofu, TofuStateStore states, IHostApplicationLifetime lifetime)
    : TaskActivity<WipeInput, TofuDestroyResult>
{
    /// <summary>The apply's runner notices within a renewal (5 s); tofu
    /// then has its interrupt grace (20 s) to save and unlock.</summary>
    public static readonly TimeSpan ApplyStopWait = TimeSpan.FromSeconds(30);

    [Function(TaskNames.TofuDestroy)]
    public Task<TofuDestroyResult> Run([ActivityTrigger] WipeInput input) => RunAsync(null!, input);

    public override async Task<TofuDestroyResult> RunAsync(TaskActivityContext context, WipeInput input)
    {
        await using var run = await tofu.PrepareAsync(input.DeploymentId, input.Run, lifetime.ApplicationStopping);
        if (await states.RequestStopAsync(input.DeploymentId, lifetime.ApplicationStopping))
        {
            run.Note(Phases.Wipe, EventLevels.Warn,
                "Wipe: an apply is still running; asked it to stop (tofu saves what it created and unlocks) " +
                "before destroying");
            var deadline = DateTimeOffset.UtcNow + ApplyStopWait;
            while (DateTimeOffset.UtcNow < deadline
                && await states.LiveHolderAsync(input.DeploymentId,
                    lifetime.ApplicationStopping) is { Tag.Operation: TofuRunTag.Apply })
                await Task.Delay(TimeSpan.FromMilliseconds(500), lifetime.ApplicationStopping);
        }
        using var slot = input.AnswerNoSlot
            ? await tofu.Runner.TryTakeSlotAsync(TofuSlot.LocalWait, lifetime.ApplicationStopping) : null;
        if (slot is null && input.AnswerNoSlot)
        {
            tofu.NoSlot(input.DeploymentId, "destroy");
            return new TofuDestroyResult(false, null, NoSlot: true);
        }
        try
        {
            if (slot is null)
                await tofu.Runner.DestroyAsync(run.Invocation, run.OnPhaseAsync, run.OnLineAsync,
                    lifetime.ApplicationStopping);
            else await tofu.Runner.DestroyAsync(slot, run.Invocation, run.OnPhaseAsync, run.OnLineAsync,
                lifetime.ApplicationStopping);
            return new TofuDestroyResult(true, null);
        }
        catch (TofuException e) when (!e.Transient)
        {
            return new TofuDestroyResult(false, run.Redact(e.Message));
        }
    }
}

/// <summary>Lists what still carries the owner label after destroy (see <see cref="HetznerSweep"/>).</summary>
public sealed class SweepLeftoversActivity(Vault vault, HetznerSweep sweep)
    : TaskActivity<string, IReadOnlyList<string>>
{
    [Function(TaskNames.SweepLeftovers)]
    public Task<IReadOnlyList<string>> Run([ActivityTrigger] string deploymentId) => RunAsync(null!, deploymentId);

    public override async Task<IReadOnlyList<string>> RunAsync(TaskActivityContext context, string deploymentId)
    {
        var token = await vault.GetStringAsync(deploymentId, VaultEntries.HetznerToken);
        if (string.IsNullOrEmpty(token)) return ["sweep skipped: the Hetzner token is no longer in the vault"];
        try
        {
            var leftovers = await sweep.ListAsync(deploymentId, token, CancellationToken.None);
            return leftovers.Select(l => $"{l.Kind}/{l.Id} {l.Name}: {HetznerSweep.CommandFor(l)}").ToList();
        }
        catch (HttpRequestException e)
        {
            return [
                $"sweep failed ({e.Message}); list resources labelled {TofuContract.OwnerLabel}={deploymentId} in " +
                "the Hetzner console"];
        }
    }
}

public sealed record FinishWipeInput(string DeploymentId, int Run, WipeReport Report);

/// <summary>Purges the deployment's secrets (only when the cloud
/// side is clean) and writes the report onto the record.</summary>
public sealed class FinishWipeActivity(DeploymentStore store, Vault vault, EventLog events, TimeProvider time)
    : TaskActivity<FinishWipeInput, WipeReport>
{
    [Function(TaskNames.FinishWipe)]
    public Task<WipeReport> Run([ActivityTrigger] FinishWipeInput input) => RunAsync(null!, input);

    public override async Task<WipeReport> RunAsync(TaskActivityContext context, FinishWipeInput input)
    {
        var report = input.Report;
        var clean = report.TofuDestroyed && report.NeedsOperator.Count == 0;
        // The Hetzner token stays while anything is left, so a second wipe can finish the job.
        if (clean) await vault.PurgeAsync(input.DeploymentId);
        // The kubeconfig bearer goes either way (issue 15: after a
        // wipe the old bearer was accepted again); destroy has run.
        else await vault.DeleteAsync(input.DeploymentId, VaultEntries.KubeconfigBearer);
        var now = time.GetUtcNow();
        report = report with { SecretsPurged = clean, FinishedAt = now };
        var status = clean ? DeploymentStatuses.Wiped : DeploymentStatuses.Failed;
        var message = clean
            ? "Wipe complete: cloud resources destroyed, DNS removed, secrets purged."
            : $"Wipe incomplete: {string.Join("; ",
                report.NeedsOperator.Prepend(report.TofuError ?? "").Where(s => s.Length > 0))}";
        await store.UpdateAsync(input.DeploymentId, r => r.Run != input.Run ? null : r with
        {
            Status = status, Phase = Phases.Wipe, Step = clean ? Steps.Wiped : Steps.WipeIncomplete, Progress = 100,
            Wipe = report, FinishedAt = now, KubeconfigBearerHash = "",
            Error = clean ? null : message,
            Failure = clean ? null : new DeploymentFailure(Steps.WipeIncomplete, Phases.Wipe, Actors.Operator),
        });
        await events.AppendAsync(input.DeploymentId, [new DeploymentEvent
        {
            Key = EventKeys.Step(input.DeploymentId, input.Run, Steps.WipeFinished), Time = now, Phase = Phases.Wipe,
            Level = clean ? EventLevels.Info : EventLevels.Warn, Message = message,
        }], CancellationToken.None);
        return report;
    }
}
