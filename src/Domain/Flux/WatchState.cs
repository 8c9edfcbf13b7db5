using System.Text.Json.Serialization;

namespace Catalyst.Domain.Flux;

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
    /// <summary>
    /// A listing has completed since the watch started: the seed's HasSynced (otech48). Stored in the registry entry
    /// under its earlier name <c>everListed</c>, so entries written before the rename still read the same.
    /// </summary>
    [JsonPropertyName("everListed")]
    public bool HasSynced { get; init; }
    /// <summary>
    /// The newest resourceVersion applied (the largest of the listed objects'; 0 when unknown). A view older than this
    /// — another replica's lagging stream during a lease handover — is not applied, so it cannot undo a transition.
    /// </summary>
    public long ObservedVersion { get; init; }
    public bool FirstSeenWarned { get; init; }
    public int ConsecutiveListErrors { get; init; }

    public sealed record Transition(string Component, string State, string Message, int Index);

    /// <summary>The same state by content (the dictionaries compared
    /// entry by entry, which record equality does not do).</summary>
    public bool SameAs(WatchState other) => ObservedVersion == other.ObservedVersion &&
        StartedAt == other.StartedAt && HasSynced == other.HasSynced && FirstSeenWarned == other.FirstSeenWarned
        && ConsecutiveListErrors == other.ConsecutiveListErrors && Same(States, other.States)
        && Same(Transitions, other.Transitions);

    static bool Same<T>(Dictionary<string, T> a, Dictionary<string, T> b) =>
        a.Count == b.Count
            && a.All(kv => b.TryGetValue(kv.Key, out var v) && EqualityComparer<T>.Default.Equals(v, kv.Value));

    /// <summary>Applies a successful listing: the new state and the transitions to record, in name order.</summary>
    public (WatchState Next, IReadOnlyList<Transition> Transitions) Observe(IEnumerable<HelmReleaseSnapshot> releases)
    {
        var states = new Dictionary<string, string>(States);
        var counts = new Dictionary<string, int>(Transitions);
        var changes = new List<Transition>();
        foreach (var release in releases.Where(r => ComponentStates.IsBlueprint(r.Name))
            .OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var id = ComponentStates.ComponentId(release.Name);
            var state = ComponentStates.Derive(release);
            if (states.TryGetValue(id, out var previous) && previous == state) continue;
            states[id] = state;
            var index = counts.GetValueOrDefault(id);
            counts[id] = index + 1;
            changes.Add(new Transition(id, state, ComponentStates.MessageOf(state, release.Message), index));
        }
        return (this with { States = states, Transitions = counts, HasSynced = true, ConsecutiveListErrors = 0 },
            changes);
    }

    /// <summary>
    /// The termination gate: a completed listing (the seed's HasSynced: events during the first list never end the
    /// watch, otech48), at least one and at least the minimum, all terminal.
    /// </summary>
    public bool GatePasses(WatchSettings settings) =>
        HasSynced && States.Count >= 1 && States.Count >= settings.MinBootstrapKitHrs
            && States.Values.All(ComponentStates.IsTerminal);

    public int FailedCount => States.Values.Count(s => s == ComponentStates.Failed);

    public bool FirstSeenOverdue(DateTime now, WatchSettings settings) =>
        !FirstSeenWarned && States.Count == 0 && now - StartedAt >= settings.FirstSeenTimeout;

    public bool TimedOut(DateTime now, WatchSettings settings) => now - StartedAt >= settings.WatchTimeout;

    /// <summary>The outcome when the gate passes or time runs out
    /// (reference B.7 table), and the deployment status it gives.</summary>
    public (string Outcome, string Status, string? Error) Conclude(bool gatePassed)
    {
        if (gatePassed)
            return FailedCount == 0 ? (WatchOutcomes.Ready, "ready", null)
                : (WatchOutcomes.Failed, "failed", WatchOutcomes.FailedMessage(FailedCount));
        if (States.Count == 0)
            return (WatchOutcomes.FluxNotReconciling, "failed", WatchOutcomes.FluxNotReconcilingMessage);
        return FailedCount > 0
            ? (WatchOutcomes.Timeout, "failed", WatchOutcomes.FailedMessage(FailedCount))
            : (WatchOutcomes.Timeout, "ready", null);
    }
}
