using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Functions.Activities;

/// <summary>Puts a deployment in the Phase-1 watch: its run, its gate's settings, when the watch started; the arrival
/// step to record first.</summary>
public sealed record BeginWatchInput(string DeploymentId, int Run, WatchSettings Settings, DateTime StartedAt,
    ProgressUpdate? Arrival);

/// <summary>
/// The workflow woke on a timer: <paramref name="TimedOut"/> ends the watch with what it has seen,
/// <paramref name="FirstSeenDue"/> asks for the first-seen warning, and either way the deployment is made sure to be in
/// the watch (the check-in).
/// </summary>
public sealed record WatchCheck(BeginWatchInput Watch, bool TimedOut, bool FirstSeenDue);

public sealed record EndWatchInput(string DeploymentId, int Run);

/// <summary>
/// Records the kubeconfig's arrival and registers the deployment in the watch (<see cref="WatchStart"/>); the replica
/// holding its shard starts watching at once. When the PUT already did both (it found the workflow waiting), the
/// workflow passes no arrival and the registration finds its entry. In the isolated worker it also hands over its
/// Durable client (see <see cref="WorkflowClients"/>).
/// </summary>
public sealed class BeginWatchActivity(WatchStart watches, WorkflowClients clients)
    : TaskActivity<BeginWatchInput, bool>
{
    [Function(TaskNames.BeginWatch)]
    public Task<bool> Run([ActivityTrigger] BeginWatchInput input, [DurableClient] DurableTaskClient client)
    {
        clients.Offer(client);
        return RunAsync(null!, input);
    }

    public override async Task<bool> RunAsync(TaskActivityContext context, BeginWatchInput input)
    {
        await watches.BeginAsync(Entry(input), input.Arrival, CancellationToken.None);
        return true;
    }

    internal static WatchEntry Entry(BeginWatchInput input) =>
        WatchEntry.Starting(input.DeploymentId, input.Run, input.Settings, input.StartedAt);
}

/// <summary>The workflow's timer woke: the first-seen warning, the timeout's conclusion, or a check-in; returns the
/// conclusion if there is one.</summary>
public sealed class CheckWatchActivity(ProgressRecorder progress, WatchRegistry registry, WatchSupervisor supervisor,
    WorkflowClients clients)
    : TaskActivity<WatchCheck, WatchConclusion?>
{
    [Function(TaskNames.CheckWatch)]
    public Task<WatchConclusion?> Run([ActivityTrigger] WatchCheck check, [DurableClient] DurableTaskClient client)
    {
        clients.Offer(client);
        return RunAsync(null!, check);
    }

    public override async Task<WatchConclusion?> RunAsync(TaskActivityContext context, WatchCheck check)
    {
        var (id, run) = (check.Watch.DeploymentId, check.Watch.Run);
        while (true)
        {
            if (await registry.GetAsync(id, CancellationToken.None) is not { } stored || stored.Entry.Run < run)
            {
                // Gone from the registry (it should not be): back in, and watched again from a fresh listing.
                await registry.RegisterAsync(BeginWatchActivity.Entry(check.Watch), CancellationToken.None);
                continue;
            }
            var entry = stored.Entry;
            if (entry.Run > run || entry.Conclusion is not null)
                return entry.Conclusion is { } c && c.Run == run ? c : null;
            var state = entry.State;
            if (check.FirstSeenDue && !state.FirstSeenWarned && state.States.Count == 0)
            {
                await progress.RecordAsync(Notice(id, run, Steps.FirstSeenWarning, 50,
                    $"Phase 1 watch saw 0 HelmReleases in {Durations.Go(entry.Settings.FirstSeenTimeout)}; " +
                    "the bootstrap-kit Kustomization may not be reconciling. Operator: " +
                    "run `flux get kustomization -n flux-system` on the new cluster.",
                    EventLevels.Warn));
                state = state with { FirstSeenWarned = true };
            }
            WatchConclusion? conclusion = null;
            if (check.TimedOut)
            {
                await progress.RecordAsync(Notice(id, run, Steps.WatchTimeout, 95,
                    "Phase-1 watch terminated by context: context deadline exceeded — see ComponentStates for " +
                    "current outcome", EventLevels.Warn));
                var (outcome, status, error) = state.Conclude(gatePassed: false);
                conclusion = new WatchConclusion(run, outcome, status, error);
            }
            if (!ReferenceEquals(state, entry.State) || conclusion is not null)
                if (await registry.TryReplaceAsync(entry with { State = state, Conclusion = conclusion }, stored.ETag,
                    CancellationToken.None) is null)
                    continue; // the watch wrote meanwhile: look again (it may have concluded first)
            supervisor.Nudge(id);
            return conclusion;
        }
    }

    /// <summary>As the original's helmwatch emitted them: the record stays in <c>phase1</c>, the event is a
    /// <c>component</c> one.</summary>
    static ProgressUpdate Notice(string id, int run, string step, int percent, string message, string level) => new()
    {
        DeploymentId = id, Run = run, Key = EventKeys.Step(id, run, step), Phase = Phases.Phase1, Step = step,
        Progress = percent, Message = message, Level = level,
        EventPhase = Phases.Component,
    };
}

/// <summary>The watch is over for this run: out of the registry, and this replica stops watching at once.</summary>
public sealed class EndWatchActivity(WatchStart watches)
    : TaskActivity<EndWatchInput, bool>
{
    [Function(TaskNames.EndWatch)]
    public Task<bool> Run([ActivityTrigger] EndWatchInput input) => RunAsync(null!, input);

    public override async Task<bool> RunAsync(TaskActivityContext context, EndWatchInput input)
    {
        await watches.EndAsync(input.DeploymentId, input.Run, CancellationToken.None);
        return true;
    }
}
