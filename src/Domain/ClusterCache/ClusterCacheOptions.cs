using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// The cluster cache's settings (reference D.1, plus what moving from a volume to blob storage needed). Read once at
/// start; a malformed value stops the host with a message naming the setting.
/// </summary>
public sealed record ClusterCacheOptions
{
    public string? KindsConfigMap { get; init; }
    public string KindsConfigMapNamespace { get; init; } = "catalyst";
    public string? KindsFile { get; init; }
    /// <summary>
    /// Which session claim names the user in SubjectAccessReviews, and the prefix put before it: set them as the
    /// Sovereign's kube-apiserver names OIDC users (<c>--oidc-username-claim</c>, <c>--oidc-username-prefix</c>), so
    /// the review asks about the same user the cluster's RBAC binds.
    /// </summary>
    public SarUserClaim SarUserClaim { get; init; } = SarUserClaim.Email;
    public string SarUserPrefix { get; init; } = "";
    /// <summary>Kinds whose containers' env values are served as they are
    /// (<c>CATALYST_K8SCACHE_UNREDACTED_KINDS</c>); none by default.</summary>
    public IReadOnlySet<string> UnredactedKinds { get; init; } = new HashSet<string>();
    public TimeSpan SarTtl { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan SnapshotInterval { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan SnapshotMaxAge { get; init; } = TimeSpan.FromHours(1);
    public int EventBuffer { get; init; } = 4096;
    public TimeSpan RescanInterval { get; init; } = TimeSpan.FromSeconds(30);
    public string? Primary { get; init; }
    public string? SovereignFqdn { get; init; }
    public bool Enabled { get; init; } = true;
    /// <summary>Client-side request budget per cluster, the original's rest config (QPS 50, burst 100).</summary>
    public double Qps { get; init; } = 50;
    public int Burst { get; init; } = 100;
    /// <summary>Errors back off exponentially up to this; a kind whose API is absent is retried at
    /// <see cref="AbsentKindRetry"/>.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan AbsentKindRetry { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Items per list page: bounds what one response holds in memory.</summary>
    public int ListPageSize { get; init; } = 500;
    /// <summary>
    /// What a tenant's API server may send (it can answer anything, of any size): bytes of one list page, of one watch
    /// line (one object), of an error body we read, objects per kind. Past a limit the kind is stopped, not buffered.
    /// </summary>
    public int MaxListPageBytes { get; init; } = 64 * 1024 * 1024;
    public int MaxWatchLineBytes { get; init; } = 4 * 1024 * 1024;
    public int MaxErrorBodyBytes { get; init; } = 64 * 1024;
    public int MaxObjectsPerKind { get; init; } = 50_000;
    /// <summary>SubjectAccessReview answers kept; when full, expired ones go, then all
    /// (<see cref="SarCache"/>).</summary>
    public int SarCacheMax { get; init; } = 10_000;
    /// <summary>Stream subscribers one cluster may have on this replica.</summary>
    public int MaxSubscribersPerCluster { get; init; } = 200;
    /// <summary>Above this age the list answer carries a stale warning (reference D.9).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    public static ClusterCacheOptions From(Func<string, string?> read) => new()
    {
        Enabled = Settings.Bool(read, "CATALYST_K8SCACHE_ENABLED", true),
        KindsConfigMap = Settings.Text(read, "CATALYST_K8SCACHE_KINDS_CONFIGMAP"),
        KindsConfigMapNamespace = Settings.Text(read, "CATALYST_K8SCACHE_KINDS_CONFIGMAP_NAMESPACE", "catalyst"),
        KindsFile = Settings.Text(read, "CATALYST_K8SCACHE_KINDS_FILE"),
        SarUserClaim = Settings.Text(read, "CATALYST_K8SCACHE_SAR_USER_CLAIM", "email").ToLowerInvariant() switch
        {
            "email" => SarUserClaim.Email,
            "sub" => SarUserClaim.Sub,
            "preferred_username" => SarUserClaim.PreferredUsername,
            var other => throw new SettingException("CATALYST_K8SCACHE_SAR_USER_CLAIM",
                $"is '{other}'; use email (the default), sub or preferred_username"),
        },
        SarUserPrefix = Settings.Text(read, "CATALYST_K8SCACHE_SAR_USER_PREFIX", ""),
        UnredactedKinds = Settings.Text(read, "CATALYST_K8SCACHE_UNREDACTED_KINDS", "")
            .Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(KindSpec.Canonical).ToHashSet(StringComparer.Ordinal),
        SarTtl = TimeSpan.FromSeconds(Settings.Int(read, "CATALYST_K8SCACHE_SAR_TTL_SECONDS", 30, 1, 3600)),
        SnapshotInterval = Settings.Duration(read, "CATALYST_K8SCACHE_SNAPSHOT_INTERVAL", TimeSpan.FromSeconds(60)),
        SnapshotMaxAge = Settings.Duration(read, "CATALYST_K8SCACHE_SNAPSHOT_MAX_AGE", TimeSpan.FromHours(1)),
        EventBuffer = Settings.Int(read, "CATALYST_K8SCACHE_EVENT_BUFFER", 4096, 1, 1_000_000),
        RescanInterval = Settings.Duration(read, "CATALYST_K8SCACHE_RESCAN_INTERVAL", TimeSpan.FromSeconds(30)),
        Primary = Settings.Text(read, "CATALYST_K8SCACHE_PRIMARY"),
        SovereignFqdn = Settings.Text(read, Auth.AuthSettings.SovereignFqdnSetting),
        Qps = Settings.Int(read, "CATALYST_K8SCACHE_QPS", 50, 1, 10_000),
        Burst = Settings.Int(read, "CATALYST_K8SCACHE_BURST", 100, 1, 10_000),
        ListPageSize = Settings.Int(read, "CATALYST_K8SCACHE_LIST_PAGE_SIZE", 500, 1, 10_000),
        MaxListPageBytes = Settings.Int(read, "CATALYST_K8SCACHE_MAX_LIST_PAGE_BYTES", 64 * 1024 * 1024, 1024,
            int.MaxValue - 1),
        MaxWatchLineBytes = Settings.Int(read, "CATALYST_K8SCACHE_MAX_WATCH_LINE_BYTES", 4 * 1024 * 1024, 1024,
            int.MaxValue - 1),
        MaxErrorBodyBytes = Settings.Int(read, "CATALYST_K8SCACHE_MAX_ERROR_BODY_BYTES", 64 * 1024, 256,
            16 * 1024 * 1024),
        MaxObjectsPerKind = Settings.Int(read, "CATALYST_K8SCACHE_MAX_OBJECTS_PER_KIND", 50_000, 1, 10_000_000),
        SarCacheMax = Settings.Int(read, "CATALYST_K8SCACHE_SAR_CACHE_MAX", 10_000, 1, 10_000_000),
        MaxSubscribersPerCluster = Settings.Int(read, "CATALYST_K8SCACHE_MAX_SUBSCRIBERS_PER_CLUSTER",
            200, 1, 1_000_000),
    };
}

/// <summary>The session claim a SubjectAccessReview names the user by.</summary>
public enum SarUserClaim { Email, Sub, PreferredUsername }
