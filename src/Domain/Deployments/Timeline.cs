namespace Catalyst.Domain.Deployments;

/// <summary>
/// The timeline's vocabulary in one place (issue 20): the phases a record and its events are filed under, the steps a
/// workflow reports, and the keys that make each event unique. Every value is a wire string (records, events, the
/// console, the original's clients read them), so a value never changes; only new ones are added. Use it as
/// <c>using static Catalyst.Domain.Deployments.Timeline;</c> and write <c>Phases.Tofu</c>, <c>Steps.Ready</c>,
/// <c>EventKeys.Step(id, run, step)</c>.
/// </summary>
public static class Timeline
{
    /// <summary>What a record's <c>phase</c> and an event's <c>phase</c> say.</summary>
    public static class Phases
    {
        public const string Queued = "queued";
        public const string Tofu = "tofu";
        /// <summary>Adoption of objects an earlier run created but left out of tofu's state (otech64).</summary>
        public const string TofuAdopt = "tofu-adopt";
        public const string Dns = "dns";
        public const string FluxBootstrap = "flux-bootstrap";
        public const string Phase1 = "phase1";
        /// <summary>An event about one component (the original's
        /// helmwatch.PhaseComponent); the record stays in phase1.</summary>
        public const string Component = "component";
        public const string ComponentLog = "component-log";
        public const string Wipe = "wipe";
        public const string Audit = "audit";
        public const string OrphanSweep = "orphan-sweep";
        public const string ClusterCache = "cluster-cache";
        public const string HandoverReady = "handover-ready";
        public const string HandoverSkipped = "handover-skipped";
    }

    /// <summary>What a record's <c>step</c> says, and the last part of a step event's key.</summary>
    public static class Steps
    {
        public const string Queued = "queued";
        public const string TofuStart = "tofu-start";
        public const string TofuSlotWait = "tofu-slot-wait";
        public const string DnsPublish = "dns-publish";
        public const string DnsPublished = "dns-published";
        public const string Phase0Complete = "phase0-complete";
        public const string KubeconfigWait = "kubeconfig-wait";
        public const string KubeconfigReceived = "kubeconfig-received";
        public const string LateKubeconfig = "late-kubeconfig";
        public const string KubeconfigUnclaimed = "kubeconfig-unclaimed";
        public const string FirstSeenWarning = "first-seen-warning";
        public const string WatchTimeout = "watch-timeout";
        public const string ListError = "list-error";
        public const string AllReconciled = "all-reconciled";
        public const string Ready = "ready";
        public const string Failed = "failed";
        public const string Retry = "retry";
        public const string ManualRetry = "manual-retry";
        public const string WorkflowLost = "workflow-lost";
        public const string WipeRequested = "wipe-requested";
        public const string TofuDestroy = "tofu-destroy";
        public const string TofuDestroySlotWait = "tofu-destroy-slot-wait";
        public const string DnsUnpublish = "dns-unpublish";
        public const string Sweep = "sweep";
        public const string Wiped = "wiped";
        public const string WipeIncomplete = "wipe-incomplete";
        public const string WipeFinished = "wipe-finished";
        /// <summary>Not steps of a record: the last part of a tofu-adopt event's key.</summary>
        public const string Adopt = "adopt";
        public const string Unadopted = "unadopted";
        /// <summary>The last part but one of a run's own note (keyed by a hash of its text).</summary>
        public const string Note = "note";
    }

    /// <summary>
    /// Event keys. An event of a run is keyed <c>{id}:{run}:…</c>, so a replayed or retried step, or a transition seen
    /// by two replicas, is appended once; events outside any run (audit, orphan sweep) are keyed <c>{id}:…</c>.
    /// </summary>
    public static class EventKeys
    {
        /// <summary><c>{id}:{run}:{step}</c>, with an optional suffix appended as is.</summary>
        public static string Step(string deploymentId, int run, string step, string? suffix = null) =>
            $"{deploymentId}:{run}:{step}{suffix}";

        /// <summary><c>{id}:{run}:{step}:{detail}</c>: a step that happens
        /// more than once in a run, told apart by its detail.</summary>
        public static string Detail(string deploymentId, int run, string step, string detail) =>
            $"{deploymentId}:{run}:{step}:{detail}";

        /// <summary><c>{id}:{run}:component:{component}:{index}</c>:
        /// the index-th transition of one component.</summary>
        public static string Component(string deploymentId, int run, string component, int index) =>
            $"{deploymentId}:{run}:{Phases.Component}:{component}:{index}";

        /// <summary><c>{id}:{run}:failed:{phase}</c>: a run fails once per phase.</summary>
        public static string Failed(string deploymentId, int run, string phase) =>
            $"{deploymentId}:{run}:{Steps.Failed}:{phase}";

        /// <summary><c>{id}:{run}:</c>, what every key of that run starts with.</summary>
        public static string RunPrefix(string deploymentId, int run) => $"{deploymentId}:{run}:";

        /// <summary>Whether <paramref name="key"/> belongs to that run of that deployment.</summary>
        public static bool IsOfRun(string key, string deploymentId, int run) =>
            key.StartsWith(RunPrefix(deploymentId, run), StringComparison.Ordinal);

        /// <summary>The run a key names (<c>{id}:{run}:…</c>), or null for a key outside any run.</summary>
        public static int? RunOf(string key) =>
            key.Split(':') is [_, var run, ..] && int.TryParse(run, out var n) ? n : null;

        /// <summary><c>{id}:{tag}:{detail}</c>: an event outside any run (audit, orphan sweep).</summary>
        public static string OutsideRun(string deploymentId, string tag, string detail) =>
            $"{deploymentId}:{tag}:{detail}";
    }
}
