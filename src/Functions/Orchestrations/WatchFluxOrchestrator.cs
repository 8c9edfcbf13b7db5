using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Functions.Activities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Catalyst.Functions.Orchestrations;

public sealed record WatchInput(string DeploymentId, int Run, WatchSettings Settings, WatchState State, int Polls = 0);

public sealed record WatchResult(string Outcome, string Status, string? Error);

/// <summary>
/// The Phase-1 watch as a durable monitor (reference B.7): poll the HelmReleases, record transitions, apply the
/// termination gate, sleep on a durable timer. Every few polls it continues as new, so its history stays small
/// however long Flux takes; a restarted host resumes at the last checkpoint.
/// </summary>
public sealed class WatchFluxOrchestrator : TaskOrchestrator<WatchInput, WatchResult>
{
    const int PollsPerGeneration = 30;

    [Function(TaskNames.WatchFlux)]
    public Task<WatchResult> Run([OrchestrationTrigger] TaskOrchestrationContext context) => RunAsync(context, context.GetInput<WatchInput>()!);

    public override async Task<WatchResult> RunAsync(TaskOrchestrationContext context, WatchInput input)
    {
        var (id, run, settings) = (input.DeploymentId, input.Run, input.Settings);
        var state = input.State;
        var steps = new WorkflowSteps(context, id, run);
        for (var poll = input.Polls; ; poll++)
        {
            var listing = await context.CallActivityAsync<HelmReleaseListing>(TaskNames.ReadHelmReleases, id);
            if (listing.Kind == HelmReleaseListing.Unusable && !state.EverListed)
            {
                await steps.RecordAsync("phase1", "watcher-start-failed", 100, $"Phase-1 watch could not start: {listing.Error}", level: EventLevels.Error);
                return new WatchResult(WatchOutcomes.WatcherStartFailed, DeploymentStatuses.Failed, WatchOutcomes.WatcherStartFailedMessage.Replace("{id}", id));
            }
            if (listing.Kind == HelmReleaseListing.Listed)
            {
                var (next, transitions) = state.Observe(listing.Releases);
                state = next;
                if (transitions.Count > 0)
                    await context.CallActivityAsync<bool>(TaskNames.RecordComponents, new ComponentUpdate(id, run, transitions, state.States));
                if (state.GatePasses(settings))
                {
                    await steps.RecordAsync("phase1", "all-reconciled", 95, $"All {state.States.Count} blueprints reconciled. Sovereign ready for handover.");
                    var (outcome, status, error) = state.Conclude(gatePassed: true);
                    return new WatchResult(outcome, status, error);
                }
            }
            else
            {
                state = state with { ConsecutiveListErrors = state.ConsecutiveListErrors + 1 };
                if (state.ConsecutiveListErrors is 1 or 10 or 100)
                    await steps.RecordAsync("phase1", "list-error", 50, $"Phase-1 watch: listing HelmReleases failed ({listing.Error}); retrying.",
                        level: EventLevels.Warn, keySuffix: $":{state.ConsecutiveListErrors}:{poll}");
            }

            var now = context.CurrentUtcDateTime;
            if (state.TimedOut(now, settings))
            {
                await steps.RecordAsync("phase1", "watch-timeout", 95,
                    "Phase-1 watch terminated by context: context deadline exceeded — see ComponentStates for current outcome", level: EventLevels.Warn);
                var (outcome, status, error) = state.Conclude(gatePassed: false);
                return new WatchResult(outcome, status, error);
            }
            if (state.FirstSeenOverdue(now, settings))
            {
                state = state with { FirstSeenWarned = true };
                await steps.RecordAsync("phase1", "first-seen-warning", 50,
                    $"Phase 1 watch saw 0 HelmReleases in {Durations.Go(settings.FirstSeenTimeout)}; the bootstrap-kit Kustomization may not be reconciling. Operator: run `flux get kustomization -n flux-system` on the new cluster.",
                    level: EventLevels.Warn);
            }

            await context.CreateTimer(now + settings.PollInterval, CancellationToken.None);
            if (poll + 1 - input.Polls >= PollsPerGeneration)
            {
                context.ContinueAsNew(input with { State = state, Polls = poll + 1 });
                return null!;
            }
        }
    }
}
