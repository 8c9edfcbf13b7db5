using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Flux;

/// <summary>
/// Phase-1 watch settings (reference B.7, §H), carried in the workflow's input. The original silently fell back on bad
/// values; we refuse them by name. <see cref="CheckIn"/> is how often the waiting workflow makes sure some replica
/// watches its Sovereign (and collects an outcome whose event was lost): the watch itself follows the cluster's own
/// watch stream, so nothing polls.
/// </summary>
public sealed record WatchSettings(TimeSpan WatchTimeout, TimeSpan FirstSeenTimeout, int MinBootstrapKitHrs, TimeSpan CheckIn)
{
    public const string CheckInSetting = "CATALYST_PHASE1_WATCH_CHECK_IN";

    public static WatchSettings From(Func<string, string?> settings)
    {
        var checkIn = Settings.Duration(settings, CheckInSetting, TimeSpan.FromMinutes(5));
        if (checkIn < TimeSpan.FromSeconds(1)) throw new SettingException(CheckInSetting, "must be at least 1s");
        return new(
            Settings.Duration(settings, "CATALYST_PHASE1_WATCH_TIMEOUT", TimeSpan.FromMinutes(60)),
            Settings.Duration(settings, "CATALYST_PHASE1_FIRST_SEEN_TIMEOUT", TimeSpan.FromMinutes(15)),
            Settings.Int(settings, "CATALYST_PHASE1_MIN_BOOTSTRAP_KIT_HRS", 1, 1, 1000),
            checkIn);
    }
}

/// <summary>Phase-1 outcomes (reference B.7) with the status and error each one leaves on the deployment.</summary>
public static class WatchOutcomes
{
    public const string Ready = "ready";
    public const string Failed = "failed";
    public const string Timeout = "timeout";
    public const string FluxNotReconciling = "flux-not-reconciling";
    public const string KubeconfigMissing = "kubeconfig-missing";
    public const string WatcherStartFailed = "watcher-start-failed";

    public static string FailedMessage(int failed) =>
        $"Phase 1 finished with {failed} failed component(s); see ComponentStates for the per-component breakdown";

    public const string FluxNotReconcilingMessage =
        "Phase 1 watch saw zero HelmReleases — the bootstrap-kit Kustomization on the new Sovereign is not reconciling. Operator: inspect `flux get kustomization -n flux-system` and `kubectl describe kustomization -n flux-system` on the new cluster (see docs/RUNBOOK-PROVISIONING.md §\"Phase 1 watch shows 0 HelmReleases\").";

    public const string WatcherStartFailedMessage =
        "Phase 1 watch could not start (e.g. malformed kubeconfig or informer factory init failure). Inspect the kubeconfig the Sovereign posted (GET /api/v1/deployments/{id}/kubeconfig) and re-run the watch by PUTting a corrected one after a wipe.";
}

/// <summary>
/// The watch's state between changes: what each component was last seen as, how often each changed (so every
/// transition event has a stable key: a transition observed twice, or by two replicas, is recorded once), and the
/// clocks the termination gate and warnings need. It lives in the watch's registry entry (<see cref="WatchEntry"/>),
/// so it holds nothing secret.
/// </summary>
public sealed record WatchState
{
    public required DateTime StartedAt { get; init; }
    public Dictionary<string, string> States { get; init; } = new();
    public Dictionary<string, int> Transitions { get; init; } = new();
    public bool EverListed { get; init; }
    public bool FirstSeenWarned { get; init; }
    public int ConsecutiveListErrors { get; init; }

    public sealed record Transition(string Component, string State, string Message, int Index);

    /// <summary>The same state by content (the dictionaries compared entry by entry, which record equality does not do).</summary>
    public bool SameAs(WatchState other) =>
        StartedAt == other.StartedAt && EverListed == other.EverListed && FirstSeenWarned == other.FirstSeenWarned
        && ConsecutiveListErrors == other.ConsecutiveListErrors && Same(States, other.States) && Same(Transitions, other.Transitions);

    static bool Same<T>(Dictionary<string, T> a, Dictionary<string, T> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && EqualityComparer<T>.Default.Equals(v, kv.Value));

    /// <summary>Applies a successful listing: the new state and the transitions to record, in name order.</summary>
    public (WatchState Next, IReadOnlyList<Transition> Transitions) Observe(IEnumerable<HelmReleaseSnapshot> releases)
    {
        var states = new Dictionary<string, string>(States);
        var counts = new Dictionary<string, int>(Transitions);
        var changes = new List<Transition>();
        foreach (var release in releases.Where(r => ComponentStates.IsBlueprint(r.Name)).OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var id = ComponentStates.ComponentId(release.Name);
            var state = ComponentStates.Derive(release);
            if (states.TryGetValue(id, out var previous) && previous == state) continue;
            states[id] = state;
            var index = counts.GetValueOrDefault(id);
            counts[id] = index + 1;
            changes.Add(new Transition(id, state, ComponentStates.MessageOf(state, release.Message), index));
        }
        return (this with { States = states, Transitions = counts, EverListed = true, ConsecutiveListErrors = 0 }, changes);
    }

    /// <summary>
    /// The termination gate: a completed listing (the seed's HasSynced: events during the first list never end the watch,
    /// otech48), at least one and at least the minimum, all terminal.
    /// </summary>
    public bool GatePasses(WatchSettings settings) =>
        EverListed && States.Count >= 1 && States.Count >= settings.MinBootstrapKitHrs && States.Values.All(ComponentStates.IsTerminal);

    public int FailedCount => States.Values.Count(s => s == ComponentStates.Failed);

    public bool FirstSeenOverdue(DateTime now, WatchSettings settings) => !FirstSeenWarned && States.Count == 0 && now - StartedAt >= settings.FirstSeenTimeout;

    public bool TimedOut(DateTime now, WatchSettings settings) => now - StartedAt >= settings.WatchTimeout;

    /// <summary>The outcome when the gate passes or time runs out (reference B.7 table), and the deployment status it gives.</summary>
    public (string Outcome, string Status, string? Error) Conclude(bool gatePassed)
    {
        if (gatePassed)
            return FailedCount == 0 ? (WatchOutcomes.Ready, "ready", null) : (WatchOutcomes.Failed, "failed", WatchOutcomes.FailedMessage(FailedCount));
        if (States.Count == 0) return (WatchOutcomes.FluxNotReconciling, "failed", WatchOutcomes.FluxNotReconcilingMessage);
        return FailedCount > 0
            ? (WatchOutcomes.Timeout, "failed", WatchOutcomes.FailedMessage(FailedCount))
            : (WatchOutcomes.Timeout, "ready", null);
    }
}
