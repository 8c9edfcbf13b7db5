using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Functions.Activities;
using Microsoft.DurableTask;

namespace Catalyst.Functions.Orchestrations;

public sealed record WatchResult(string Outcome, string Status, string? Error);

/// <summary>
/// The Phase-1 watch as a durable monitor (reference B.7): poll the HelmReleases, record transitions, apply the
/// termination gate, sleep on a durable timer. After a number of polls it hands its state back so the workflow
/// continues as new, keeping history small however long Flux takes; a restarted host resumes at the last
/// checkpoint. It runs inside ProvisionSovereign rather than as a sub-orchestration: the in-process sidecar's
/// sub-orchestration events do not survive the Azure Storage engine's serialisation (see the closing note).
/// </summary>
public static class FluxWatch
{
    /// <summary>
    /// Short generations: every step of the workflow loads the instance's history rows (all of them, of the longest
    /// generation so far: a new generation overwrites rows by index), so with 200 watches a 30-poll generation meant
    /// ~300 rows per load. A continue-as-new costs no extra step here, so a generation is a minute at 10 s polls.
    /// </summary>
    public const int PollsPerGeneration = 6;

    /// <summary>The outcome, or null with the state to continue from in the next generation.</summary>
    /// <param name="arrival">A step to record before the first poll, in the same activity (BeginWatch).</param>
    public static async Task<(WatchResult? Result, WatchState State)> RunAsync(TaskOrchestrationContext context, WorkflowSteps steps, string id, int run, WatchSettings settings,
        WatchState state, ProgressUpdate? arrival = null)
    {
        for (var poll = 0; ; poll++)
        {
            var listing = poll == 0 && arrival is not null
                ? await context.CallActivityAsync<HelmReleaseListing>(TaskNames.BeginWatch, arrival, ActivityRetries.Default)
                : await context.CallActivityAsync<HelmReleaseListing>(TaskNames.ReadHelmReleases, id, ActivityRetries.Default);
            if (listing.Kind == HelmReleaseListing.Unusable && !state.EverListed)
            {
                await steps.RecordWatchNoticeAsync("watcher-start-failed", 100, $"Phase-1 watch could not start: {listing.Error}", EventLevels.Error);
                return (new WatchResult(WatchOutcomes.WatcherStartFailed, DeploymentStatuses.Failed, WatchOutcomes.WatcherStartFailedMessage.Replace("{id}", id)), state);
            }
            if (listing.Kind == HelmReleaseListing.Listed)
            {
                var (next, transitions) = state.Observe(listing.Releases);
                state = next;
                if (transitions.Count > 0)
                    await context.CallActivityAsync<bool>(TaskNames.RecordComponents, new ComponentUpdate(id, run, transitions, state.States), ActivityRetries.Default);
                if (state.GatePasses(settings))
                {
                    await steps.RecordAsync("phase1", "all-reconciled", 95, $"All {state.States.Count} blueprints reconciled. Sovereign ready for handover.");
                    var (outcome, status, error) = state.Conclude(gatePassed: true);
                    return (new WatchResult(outcome, status, error), state);
                }
            }
            else
            {
                state = state with { ConsecutiveListErrors = state.ConsecutiveListErrors + 1 };
                if (state.ConsecutiveListErrors is 1 or 10 or 100)
                    await steps.RecordAsync("phase1", "list-error", 50, $"Phase-1 watch: listing HelmReleases failed ({listing.Error}); retrying.",
                        level: EventLevels.Warn, keySuffix: $":{state.ConsecutiveListErrors}:{state.Polls}");
            }

            var now = context.CurrentUtcDateTime;
            if (state.TimedOut(now, settings))
            {
                await steps.RecordWatchNoticeAsync("watch-timeout", 95,
                    "Phase-1 watch terminated by context: context deadline exceeded — see ComponentStates for current outcome", EventLevels.Warn);
                var (outcome, status, error) = state.Conclude(gatePassed: false);
                return (new WatchResult(outcome, status, error), state);
            }
            if (state.FirstSeenOverdue(now, settings))
            {
                state = state with { FirstSeenWarned = true };
                await steps.RecordWatchNoticeAsync("first-seen-warning", 50,
                    $"Phase 1 watch saw 0 HelmReleases in {Durations.Go(settings.FirstSeenTimeout)}; the bootstrap-kit Kustomization may not be reconciling. Operator: run `flux get kustomization -n flux-system` on the new cluster.",
                    EventLevels.Warn);
            }

            await context.CreateTimer(now + settings.PollInterval, CancellationToken.None);
            state = state with { Polls = state.Polls + 1 };
            if (poll + 1 >= PollsPerGeneration) return (null, state);
        }
    }
}
