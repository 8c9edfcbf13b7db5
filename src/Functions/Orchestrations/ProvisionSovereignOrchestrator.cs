using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Functions.Activities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Functions.Orchestrations;

/// <summary>Orchestration input: ids and non-secret timings
/// only (DESIGN §4: inputs are persisted in history).</summary>
public sealed record ProvisionInput(string DeploymentId, int Run, TimeSpan KubeconfigArrivalTimeout,
    WatchSettings Watch, PoolName? Pool,
    bool KubeconfigAlreadyReceived = false, WatchState? Watching = null, ProgressUpdate? Arrival = null);

/// <summary>Raised when the Sovereign's cloud-init has PUT its kubeconfig: a reference, never the bytes.</summary>
/// <param name="WatchStarted">The PUT put the deployment in the watch itself (false in events raised before it
/// could).</param>
public sealed record KubeconfigReceived(string Sha256, int Bytes, bool WatchStarted = false);

/// <summary>
/// One provision, checkpointed step by step (DESIGN §3): tofu apply, then wait for the new cluster's kubeconfig
/// postback (which may arrive before the apply ends: Durable buffers the event). A restart resumes where it was.
/// </summary>
public sealed class ProvisionSovereignOrchestrator : TaskOrchestrator<ProvisionInput, string>
{
    static readonly TaskOptions TofuRetries = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 4, firstRetryInterval: TimeSpan.FromSeconds(15), backoffCoefficient: 2,
        maxRetryInterval: TimeSpan.FromMinutes(2)));

    public const string TofuSlotWaitMessage =
        "Phase 0: waiting for a free tofu slot (every replica runs at most CATALYST_TOFU_MAX_PARALLEL tofu at once); " +
        "the apply starts on the first replica with room";

    [Function(TaskNames.ProvisionSovereign)]
    public Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context) =>
        RunAsync(context, context.GetInput<ProvisionInput>()!);

    /// <summary>A workflow failure is recorded only over a run still
    /// under way, never over a finished or wiping record.</summary>
    static readonly IReadOnlyList<string> UnderWay = [DeploymentStatuses.Provisioning,
        DeploymentStatuses.Phase1Watching];

    public override async Task<string> RunAsync(TaskOrchestrationContext context, ProvisionInput input)
    {
        var steps = new WorkflowSteps(context, input.DeploymentId, input.Run,
            input.Watching is null && !input.KubeconfigAlreadyReceived ? Phases.Tofu : Phases.Phase1);
        try
        {
            return await RunStepsAsync(context, input, steps);
        }
        catch (Exception e)
        {
            // Whatever escaped (an activity failed through every retry, a bug): the run ends failed, never
            // 'provisioning' for ever. If even this write fails, the orchestration fails and the ResumeStranded timer
            // files the record.
            await steps.FailWorkflowAsync(e, UnderWay);
            return DeploymentStatuses.Failed;
        }
    }

    static async Task<string> RunStepsAsync(TaskOrchestrationContext context, ProvisionInput input, WorkflowSteps steps)
    {
        if (input.Watching is { } watching) return await WatchAsync(context, input, steps, watching);
        if (input.KubeconfigAlreadyReceived) return ContinueIntoWatch(context, input, arrival: null);
        if (input.Pool is { } claim
            && !await context.CallActivityAsync<bool>(TaskNames.ClaimSubdomain,
                new SubdomainClaim(input.DeploymentId, claim.PoolDomain, claim.Subdomain), ActivityRetries.Default))
        {
            await steps.FailAsync(Phases.Tofu,
                $"{claim.Subdomain}.{claim.PoolDomain} is no longer this deployment's: " +
                "its reservation lapsed and another deployment took the name",
                new DeploymentFailure("subdomain-conflict", Phases.Tofu, Actors.User,
                    "wipe this deployment and create it again with a different name"));
            return DeploymentStatuses.Failed;
        }
        await steps.RecordAsync(Phases.Tofu, Steps.TofuStart, 5,
            "Phase 0: provisioning Hetzner resources with OpenTofu", status: DeploymentStatuses.Provisioning);

        TofuApplyResult apply;
        try
        {
            // No free tofu slot on the replica that took it: a durable wait, then ask again (TofuSlots; not a failure).
            apply = await TofuSlots.CallAsync<TofuApplyResult>(context, TaskNames.TofuApply,
                new TofuApplyInput(input.DeploymentId, input.Run, AnswerNoSlot: true), TofuRetries,
                a => a.NoSlot, () => steps.RecordAsync(Phases.Tofu, Steps.TofuSlotWait, 5, TofuSlotWaitMessage));
        }
        catch (TaskFailedException e)
        {
            apply = new TofuApplyResult(false, "", "", "",
                $"tofu apply did not complete after retries: {e.FailureDetails.ErrorMessage}",
                new DeploymentFailure("tofu-unavailable", Phases.Tofu, Actors.Operator,
                    "transient failures persisted through every retry; see the tofu lines in the timeline"));
        }
        if (!apply.Succeeded)
        {
            await steps.FailAsync(Phases.Tofu, apply.Error!, apply.Failure!);
            return DeploymentStatuses.Failed;
        }

        var fqdn = apply.SovereignFqdn;
        var result = new DeploymentResult
        {
            SovereignFqdn = fqdn,
            ControlPlaneIp = apply.ControlPlaneIp,
            LoadBalancerIp = apply.LoadBalancerIp,
            ConsoleUrl = $"https://console.{fqdn}",
            GitopsRepoUrl = $"https://gitea.{fqdn}",
        };
        if (input.Pool is { } named
            && !await context.CallActivityAsync<bool>(TaskNames.CommitSubdomain,
                new SubdomainClaim(input.DeploymentId, named.PoolDomain, named.Subdomain), ActivityRetries.Default))
        {
            // The apply outlasted the reservation and someone else took the name: no DNS for a name that is not ours.
            await steps.FailAsync(Phases.Dns,
                $"{named.Subdomain}.{named.PoolDomain} is no longer this deployment's: " +
                "its reservation lapsed during the apply and another deployment took the name",
                new DeploymentFailure("subdomain-conflict", Phases.Dns, Actors.User,
                    "wipe this deployment and create it again with a different name"));
            return DeploymentStatuses.Failed;
        }
        if (input.Pool is { } pool)
        {
            await steps.RecordAsync(Phases.Dns, Steps.DnsPublish, 35,
                $"Publishing DNS for {pool.Subdomain}.{pool.PoolDomain} → {apply.LoadBalancerIp}");
            try
            {
                var published = await context.CallActivityAsync<PublishDnsResult>(DnsActivityNames.PublishDns,
                    new PublishDnsInput(input.DeploymentId, pool.PoolDomain, pool.Subdomain, apply.LoadBalancerIp),
                    ActivityRetries.Default);
                await steps.RecordAsync(Phases.Dns, Steps.DnsPublished, 38,
                    $"DNS published for {published.Fqdn}: {published.Added.Count} record(s) " +
                    $"added, {published.AlreadyPresent.Count} already present");
            }
            catch (TaskFailedException e)
            {
                await steps.FailAsync(Phases.Dns,
                    $"publishing DNS for {pool.Subdomain}.{pool.PoolDomain} failed: {e.FailureDetails.ErrorMessage}",
                    new DeploymentFailure("dns-publish-failed", Phases.Dns, Actors.Operator));
                return DeploymentStatuses.Failed;
            }
        }

        await steps.RecordAsync(Phases.FluxBootstrap, Steps.Phase0Complete, 40,
            $"Phase 0 complete: control plane {apply.ControlPlaneIp}, load balancer {apply.LoadBalancerIp}. " +
            "Cloud-init now installs k3s and Flux on the new Sovereign.",
            status: DeploymentStatuses.Phase1Watching, result: result);

        await steps.RecordAsync(Phases.Phase1, Steps.KubeconfigWait, 45,
            $"Phase-1 watch: waiting for cloud-init to PUT the new Sovereign's kubeconfig " +
            $"(timeout {Durations.Go(input.KubeconfigArrivalTimeout)}).");
        KubeconfigReceived received;
        try
        {
            received = await context.WaitForExternalEvent<KubeconfigReceived>(TaskNames.KubeconfigReceivedEvent,
                input.KubeconfigArrivalTimeout);
        }
        catch (TaskCanceledException)
        {
            await steps.FailAsync(Phases.Phase1,
                $"Phase 1 watch never ran: the new Sovereign cluster did not PUT its kubeconfig to " +
                $"/api/v1/deployments/{input.DeploymentId}/kubeconfig " +
                $"within {Durations.Go(input.KubeconfigArrivalTimeout)}. " +
                "Check the control plane's cloud-init log (/var/log/cloud-init-output.log); " +
                "a late PUT restarts the watch.",
                new DeploymentFailure(WatchOutcomes.KubeconfigMissing, Phases.Phase1, Actors.Operator),
                outcome: WatchOutcomes.KubeconfigMissing);
            return DeploymentStatuses.Failed;
        }

        // The PUT found this workflow waiting and already recorded the arrival and registered the watch (issue 16:
        // postback → first component state without a queue hop). Otherwise recording the arrival rides on the watch's
        // registration: one durable step, not two.
        var arrival = steps.Progress(Phases.Phase1, Steps.KubeconfigReceived, 50,
            KubeconfigPostback.ArrivalMessage(received.Bytes));
        return ContinueIntoWatch(context, input, received.WatchStarted ? null : arrival);
    }

    /// <summary>
    /// The watch starts a new generation: Phase 0's history need not be loaded and replayed with every poll. The
    /// sidecar runs the new generation in the same work item, so this costs no extra step.
    /// </summary>
    static string ContinueIntoWatch(TaskOrchestrationContext context, ProvisionInput input, ProgressUpdate? arrival)
    {
        context.ContinueAsNew(
            input with { Watching = new WatchState { StartedAt = context.CurrentUtcDateTime }, Arrival = arrival });
        return DeploymentStatuses.Phase1Watching;
    }

    /// <summary>
    /// The Phase-1 watch, event-driven: the deployment goes into the watch's registry, a replica's
    /// <see cref="SovereignWatch"/> follows the Sovereign's own watch stream and records each change as it happens, and
    /// this workflow only waits — for the conclusion (one external event), the first-seen warning and the timeout
    /// (durable timers), and a check-in every <see cref="WatchSettings.CheckIn"/> that re-registers a lost entry and
    /// collects a conclusion whose event could not be raised. No durable step per change or per poll.
    /// </summary>
    static async Task<string> WatchAsync(TaskOrchestrationContext context, ProvisionInput input, WorkflowSteps steps,
        WatchState watching)
    {
        var settings = input.Watch;
        var watch = new BeginWatchInput(input.DeploymentId, input.Run, settings, watching.StartedAt, input.Arrival);
        if (input.Arrival is not null)
            steps.Progress(input.Arrival.Phase, input.Arrival.Step, input.Arrival.Progress, input.Arrival.Message);
        await context.CallActivityAsync<bool>(TaskNames.BeginWatch, watch, ActivityRetries.Default);

        var deadline = watching.StartedAt + settings.WatchTimeout;
        var firstSeenAt = watching.StartedAt + settings.FirstSeenTimeout;
        var firstSeenAsked = false;
        using var stopWaiting = new CancellationTokenSource();
        var concluded = context.WaitForExternalEvent<WatchConclusion>(TaskNames.WatchConcludedEvent, stopWaiting.Token);
        WatchConclusion? conclusion = null;
        while (conclusion is null)
        {
            var now = context.CurrentUtcDateTime;
            var wake = new[] { deadline, now + settings.CheckIn, firstSeenAsked ? DateTime.MaxValue
                : firstSeenAt }.Min();
            using var stopTimer = new CancellationTokenSource();
            var timer = context.CreateTimer(wake, stopTimer.Token);
            if (await Task.WhenAny(concluded, timer) == concluded)
            {
                stopTimer.Cancel();
                var raised = await concluded;
                if (raised.Run == input.Run) conclusion = raised;
                else concluded = context.WaitForExternalEvent<WatchConclusion>(TaskNames.WatchConcludedEvent,
                    stopWaiting.Token); // an earlier run's
                continue;
            }
            now = context.CurrentUtcDateTime;
            var check = new WatchCheck(watch with { Arrival = null }, TimedOut: now >= deadline,
                FirstSeenDue: !firstSeenAsked && now >= firstSeenAt);
            firstSeenAsked |= check.FirstSeenDue;
            conclusion = await context.CallActivityAsync<WatchConclusion?>(TaskNames.CheckWatch, check,
                ActivityRetries.Default);
        }
        stopWaiting.Cancel();
        await context.CallActivityAsync<bool>(TaskNames.EndWatch, new EndWatchInput(input.DeploymentId, input.Run),
            ActivityRetries.Default);

        if (conclusion.Status == DeploymentStatuses.Failed)
        {
            await steps.FailAsync(Phases.Phase1, conclusion.Error!,
                new DeploymentFailure(conclusion.Outcome, Phases.Phase1, Actors.Operator), outcome: conclusion.Outcome);
            return DeploymentStatuses.Failed;
        }
        await steps.RecordAsync(Phases.Phase1, Steps.Ready, 100,
            $"Phase 1 finished ({conclusion.Outcome}): the Sovereign is ready.",
            status: DeploymentStatuses.Ready, outcome: conclusion.Outcome);
        try
        {
            await context.CallActivityAsync<bool>(TaskNames.MintHandover,
                new HandoverInput(input.DeploymentId, input.Run), ActivityRetries.Default);
        }
        catch (TaskFailedException)
        {
            // The deployment is ready either way; without the handover-ready event the owner mints a link with
            // POST .../mint-handover-token (the engine logs the activity's failure).
        }
        return DeploymentStatuses.Ready;
    }
}
