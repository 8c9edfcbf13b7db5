namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// A kind the cache watches: a name users ask for (canonical: lower case, no whitespace; singular and plural are
/// different names, as in the original) and the API resource behind it. Sensitive kinds are redacted (reference D.6).
/// </summary>
public sealed record KindSpec(string Name, string Group, string Version, string Resource, bool Namespaced,
    bool Sensitive = false)
{
    /// <summary>Containers' env values served as they are (<c>CATALYST_K8SCACHE_UNREDACTED_KINDS</c>); redacted
    /// otherwise (<see cref="EnvRedaction"/>).</summary>
    public bool KeepEnvValues { get; init; }

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Read in this namespace only (the Phase-1 watch reads flux-system, as the original's filtered informer
    /// did); null: cluster-wide.</summary>
    public string? Namespace { get; init; }

    /// <summary>The collection path: core kinds live under /api, everything else under /apis; cluster-wide unless
    /// <see cref="Namespace"/> is set.</summary>
    public string CollectionPath => (Group.Length == 0 ? $"api/{Version}" : $"apis/{Group}/{Version}")
        + (Namespace is { } ns ? $"/namespaces/{ns}/{Resource}" : $"/{Resource}");

    public static string Canonical(string name) =>
        string.Concat(name.Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant();
}

/// <summary>
/// The kinds every cluster gets an informer for (reference D.4): the seed-era defaults, then the operator's additions
/// (ConfigMap, then file), where an entry with a default's name replaces it.
/// </summary>
public sealed class KindRegistry
{
    readonly Dictionary<string, KindSpec> kinds;

    public KindRegistry(IEnumerable<KindSpec> kinds)
    {
        this.kinds = new Dictionary<string, KindSpec>(StringComparer.Ordinal);
        foreach (var kind in kinds) Add(kind);
    }

    /// <summary>
    /// The seed-era defaults. The graph/dashboard additions of the later original (persistentvolume, replicaset,
    /// endpointslice, podmetrics, policy reports) are left out: they came after the seed (reference D.4 †).
    /// </summary>
    public static IReadOnlyList<KindSpec> Defaults { get; } =
    [
        new("namespace", "", "v1", "namespaces", false),
        new("node", "", "v1", "nodes", false),
        new("pod", "", "v1", "pods", true),
        new("service", "", "v1", "services", true),
        new("configmap", "", "v1", "configmaps", true, Sensitive: true),
        new("secret", "", "v1", "secrets", true, Sensitive: true),
        new("persistentvolumeclaim", "", "v1", "persistentvolumeclaims", true),
        new("deployment", "apps", "v1", "deployments", true),
        new("statefulset", "apps", "v1", "statefulsets", true),
        new("daemonset", "apps", "v1", "daemonsets", true),
        new("ingress", "networking.k8s.io", "v1", "ingresses", true),
        new("server.hcloud", "hcloud.crossplane.io", "v1alpha1", "servers", false),
        new("loadbalancer.hcloud", "hcloud.crossplane.io", "v1alpha1", "loadbalancers", false),
        new("network.hcloud", "hcloud.crossplane.io", "v1alpha1", "networks", false),
        new("volume.hcloud", "hcloud.crossplane.io", "v1alpha1", "volumes", false),
        new("vcluster", "vcluster.com", "v1alpha1", "vclusters", true),
    ];

    public static KindRegistry WithDefaults() => new(Defaults);

    public IReadOnlyList<string> Names => kinds.Keys.Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<KindSpec> All => Names.Select(n => kinds[n]).ToList();

    public KindSpec? Find(string name) => kinds.GetValueOrDefault(KindSpec.Canonical(name));

    /// <summary>Adds or replaces; a kind needs a name and a resource (reference D.4 <c>Add</c>).</summary>
    public void Add(KindSpec kind)
    {
        var name = KindSpec.Canonical(kind.Name);
        if (name.Length == 0) throw new ArgumentException("a kind needs a name", nameof(kind));
        if (string.IsNullOrWhiteSpace(kind.Resource))
            throw new ArgumentException($"kind {name} needs a resource", nameof(kind));
        if (string.IsNullOrWhiteSpace(kind.Version))
            throw new ArgumentException($"kind {name} needs a version", nameof(kind));
        kinds[name] = kind with { Name = name, Group = kind.Group.Trim(), Version = kind.Version.Trim(),
            Resource = kind.Resource.Trim() };
    }

    /// <summary>
    /// Reads the extension format (reference D.5): <c>name,group,version,resource,namespaced[,sensitive]</c> per line,
    /// blank and <c>#</c> lines skipped, booleans true only for a case-insensitive "true". A bad line is reported to
    /// <paramref name="warn"/> and skipped: one typo must not cost the operator every other kind.
    /// </summary>
    public static IReadOnlyList<KindSpec> ParseLines(string text, string source, Action<string> warn)
    {
        var parsed = new List<KindSpec>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var fields = line.Split(',').Select(f => f.Trim()).ToArray();
            if (fields.Length < 5)
            {
                warn($"{source} line {number}: expected name,group,version,resource,namespaced[,sensitive], " +
                    $"got {fields.Length} fields; skipped");
                continue;
            }
            var kind = new KindSpec(fields[0], fields[1], fields[2], fields[3],
                fields[4].Equals("true", StringComparison.OrdinalIgnoreCase),
                fields.Length > 5 && fields[5].Equals("true", StringComparison.OrdinalIgnoreCase));
            var name = KindSpec.Canonical(kind.Name);
            if (name.Length == 0 || kind.Resource.Length == 0 || kind.Version.Length == 0 || !IsPathSafe(kind))
            {
                warn($"{source} line {number}: kind '{fields[0]}' is invalid (name, " +
                    "version and resource are required, without '/' or spaces); skipped");
                continue;
            }
            parsed.Add(kind with { Name = name });
        }
        return parsed;
    }

    // The resource parts become URL path segments: nothing that could walk to another path.
    static bool IsPathSafe(KindSpec kind) =>
        new[] { kind.Group, kind.Version, kind.Resource }.All(p =>
            p.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-'));
}
