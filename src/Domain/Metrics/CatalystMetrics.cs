using Catalyst.Domain.Deployments;
using Prometheus;

namespace Catalyst.Domain.Metrics;

/// <summary>
/// Every metric <c>GET /metrics</c> serves, defined here and nowhere else; the code that moves one calls a single line.
/// Labels are bounded sets (statuses, phases, commands, reasons, route templates) or, for the cluster cache, the
/// original's <c>(cluster, kind)</c> pairs: never raw paths, names, emails or FQDNs, so the endpoint can stay public.
/// A registry of our own (not prometheus-net's default): no
/// event counters or meters of the libraries underneath leak in.
/// </summary>
public static class CatalystMetrics
{
    public static readonly CollectorRegistry Registry = Prometheus.Metrics.NewCustomRegistry();
    static readonly MetricFactory Factory = Prometheus.Metrics.WithCustomRegistry(Registry);

    // Provisioning.
    public static readonly Counter ProvisionsStarted = Factory.CreateCounter("catalyst_provisions_started_total",
        "Provision runs that began Phase 0 (a retry is a new run).");
    public static readonly Counter ProvisionsFinished = Factory.CreateCounter("catalyst_provisions_finished_total",
        "Provision runs that ended, by outcome (the record's final status).", "outcome");
    public static readonly Histogram PhaseDuration = Factory.CreateHistogram("catalyst_phase_duration_seconds",
        "How long a provisioning phase took: tofu (the apply activity), dns (publishing), " +
        "phase1 (kubeconfig to watch outcome), total.",
        new HistogramConfiguration { LabelNames = ["phase"], Buckets = Histogram.ExponentialBuckets(0.5, 2, 14) });
    public static readonly Counter TofuRuns = Factory.CreateCounter("catalyst_tofu_runs_total",
        "tofu commands run, by command (init, plan, apply, destroy, output, state …).", "command");
    public static readonly Counter TofuFailures = Factory.CreateCounter("catalyst_tofu_failures_total",
        "tofu commands that exited non-zero, by command and kind (transient: retried; error: not).", "command", "kind");
    public static readonly Counter PostbacksAccepted =
        Factory.CreateCounter("catalyst_kubeconfig_postbacks_accepted_total",
        "Kubeconfig postbacks from cloud-init that were stored.");
    public static readonly Counter PostbacksRefused =
        Factory.CreateCounter("catalyst_kubeconfig_postbacks_refused_total",
        "Kubeconfig postbacks refused, by the error answered.", "reason");
    public static readonly Counter WatchTransitions = Factory.CreateCounter("catalyst_watch_transitions_total",
        "Phase-1 component transitions recorded, by the state entered.", "state");
    public static readonly Gauge Deployments = Factory.CreateGauge("catalyst_deployments",
        "Deployment records by status, from the store's listing (refreshed at most every few seconds).", "status");

    // HTTP.
    public static readonly Histogram HttpDuration = Factory.CreateHistogram("catalyst_http_request_duration_seconds",
        "HTTP request durations by method, route template and status code.",
        new HistogramConfiguration { LabelNames = ["method", "route", "code"],
            Buckets = Histogram.ExponentialBuckets(0.001, 4, 9) });
    public static readonly Gauge SseOpen = Factory.CreateGauge("catalyst_sse_connections_open",
        "Server-sent event streams (/logs and /k8s/stream) open on this replica.");

    // The cluster cache, with the original's names (k8scache/metrics.go).
    static readonly GaugeConfiguration ClusterKind = new() { LabelNames = ["cluster", "kind"] };
    public static readonly Gauge CacheLastEvent = Factory.CreateGauge("catalyst_k8scache_informer_last_event_seconds",
        "UNIX timestamp of the most recent informer event per (cluster, kind).", ClusterKind);
    public static readonly Gauge CacheSize = Factory.CreateGauge("catalyst_k8scache_informer_cache_size",
        "Object count in the cache per (cluster, kind).", ClusterKind);
    public static readonly Counter CacheEvents = Factory.CreateCounter("catalyst_k8scache_informer_events_total",
        "Dispatched events per (cluster, kind, event_type).", "cluster", "kind", "event_type");
    public static readonly Gauge CacheSubscribers = Factory.CreateGauge("catalyst_k8scache_sse_clients_connected",
        "Currently-connected SSE subscribers.");
    public static readonly Counter CacheSubscriberDrops =
        Factory.CreateCounter("catalyst_k8scache_sse_event_drops_total",
        "Events dropped due to slow SSE subscribers, per (cluster, kind).", "cluster", "kind");
    public static readonly Counter CacheSnapshotWrites =
        Factory.CreateCounter("catalyst_k8scache_snapshot_writes_total",
        "Successful snapshot writes per (cluster, kind).", "cluster", "kind");
    public static readonly Counter CacheHydrates = Factory.CreateCounter("catalyst_k8scache_snapshot_hydrate_total",
        "Hydrate outcomes per (cluster, kind, result).", "cluster", "kind", "result");
    public static readonly Counter SarHits = Factory.CreateCounter("catalyst_k8scache_sar_cache_hits_total",
        "SubjectAccessReview cache hits, per (cluster, kind).", "cluster", "kind");
    public static readonly Counter SarMisses = Factory.CreateCounter("catalyst_k8scache_sar_cache_miss_total",
        "SubjectAccessReview cache misses (apiserver calls), per (cluster, kind).", "cluster", "kind");

    /// <summary>
    /// A workflow step that changed the record (called once per applied step, so an activity's retry counts nothing
    /// twice): a run starting Phase 0, a run finishing, the Phase-1 outcome.
    /// </summary>
    public static void Progressed(DeploymentRecord before, DeploymentRecord after, ProgressUpdate update,
        DateTimeOffset now)
    {
        if (update.Step == "tofu-start") ProvisionsStarted.Inc();
        if (update.Outcome is not null && after.Result?.KubeconfigReceivedAt is { } received)
            PhaseDuration.WithLabels("phase1").Observe(Math.Max(0, (now - received).TotalSeconds));
        if (!DeploymentStatuses.IsDone(before.Status) && DeploymentStatuses.IsDone(after.Status))
        {
            ProvisionsFinished.WithLabels(after.Status).Inc();
            PhaseDuration.WithLabels("total").Observe(Math.Max(0, (now - after.StartedAt).TotalSeconds));
        }
    }

    /// <summary>Times a phase an activity runs whole (dispose at its end).</summary>
    public static IDisposable TimePhase(string phase) => PhaseDuration.WithLabels(phase).NewTimer();

    /// <summary>One tofu command's exit.</summary>
    public static void TofuExited(string command, int exitCode, bool transient)
    {
        TofuRuns.WithLabels(command).Inc();
        if (exitCode != 0) TofuFailures.WithLabels(command, transient ? "transient" : "error").Inc();
    }

    /// <summary>A postback's answer: 204 is accepted; anything else is refused with its error code.</summary>
    public static void Postback(int status, string? error)
    {
        if (status == 204) PostbacksAccepted.Inc();
        else PostbacksRefused.WithLabels(error
            ?? status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
    }

    /// <summary>An event an informer dispatched, and the size of its kind's cache after it.</summary>
    public static void CacheEvent(string cluster, string kind, string type, DateTimeOffset at, int? size)
    {
        CacheEvents.WithLabels(cluster, kind, type).Inc();
        CacheLastEvent.WithLabels(cluster, kind).Set(at.ToUnixTimeMilliseconds() / 1000.0);
        if (size is { } n) CacheSize.WithLabels(cluster, kind).Set(n);
    }

    static readonly string[] KnownStatuses = [DeploymentStatuses.Provisioning, DeploymentStatuses.Phase1Watching,
        DeploymentStatuses.Ready,
        DeploymentStatuses.Failed, DeploymentStatuses.Adopted, DeploymentStatuses.Wiping, DeploymentStatuses.Wiped];

    /// <summary>Counts per status, replacing the previous counts (a status no record has any more reads 0).</summary>
    public static void SetDeployments(IReadOnlyDictionary<string, int> byStatus)
    {
        foreach (var status in KnownStatuses.Union(byStatus.Keys))
            Deployments.WithLabels(status).Set(byStatus.GetValueOrDefault(status));
    }
}
