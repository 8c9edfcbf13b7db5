using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// Where the kinds come from at start: the defaults, then the ConfigMap extension read with in-cluster credentials
/// (reference D.5; a new watched kind is configuration, not code), then a file for standalone use. Nothing here is
/// fatal: a missing or unreadable source leaves the kinds before it, with a warning.
/// </summary>
public static class KindSources
{
    public static async Task<KindRegistry> LoadAsync(ClusterCacheOptions options, Func<IKubernetes?> homeCluster,
        ILogger log, CancellationToken cancellationToken)
    {
        var registry = KindRegistry.WithDefaults();
        if (options.KindsConfigMap is { } name)
        {
            var client = homeCluster();
            if (client is null)
                log.LogWarning(
                    "Kinds ConfigMap {Namespace}/{Name} not read: not running in a cluster; using the defaults",
                    options.KindsConfigMapNamespace, name);
            else
                foreach (var kind in await FromConfigMapAsync(client, options.KindsConfigMapNamespace, name, log,
                    cancellationToken))
                    registry.Add(kind);
        }
        if (options.KindsFile is { } path)
        {
            if (File.Exists(path))
                foreach (var kind in KindRegistry.ParseLines(await File.ReadAllTextAsync(path, cancellationToken), path,
                    w => log.LogWarning("Kinds: {Problem}", w)))
                    registry.Add(kind);
            else
                log.LogWarning("Kinds file {Path} does not exist; ignored", path);
        }
        foreach (var unredacted in options.UnredactedKinds.Order(StringComparer.Ordinal))
        {
            if (registry.Find(unredacted) is { } kind)
            {
                registry.Add(kind with { KeepEnvValues = true });
                log.LogWarning(
                    "Cluster cache serves {Kind} objects with their containers' env values " +
                    "(CATALYST_K8SCACHE_UNREDACTED_KINDS)", unredacted);
            }
            else log.LogWarning("CATALYST_K8SCACHE_UNREDACTED_KINDS names {Kind}, which is not a watched kind; ignored",
                unredacted);
        }
        log.LogInformation("Cluster cache watches {Count} kinds: {Kinds}", registry.Names.Count,
            string.Join(", ", registry.Names));
        return registry;
    }

    /// <summary>Data key <c>kinds.txt</c>, else <c>kinds</c>. An absent
    /// or unreadable ConfigMap yields nothing and a warning.</summary>
    public static async Task<IReadOnlyList<KindSpec>> FromConfigMapAsync(IKubernetes client, string ns, string name,
        ILogger log, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var map = await client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: timeout.Token);
            var data = map.Data ?? new Dictionary<string, string>();
            var text = data.TryGetValue("kinds.txt", out var txt) ? txt : data.TryGetValue("kinds", out var plain)
                ? plain : null;
            if (text is null)
            {
                log.LogWarning(
                    "Kinds ConfigMap {Namespace}/{Name} has neither a kinds.txt nor a kinds key; using the defaults",
                    ns, name);
                return [];
            }
            return KindRegistry.ParseLines(text, $"configmap {ns}/{name}", w => log.LogWarning("Kinds: {Problem}", w));
        }
        catch (Exception e)
            when (e is HttpOperationException or HttpRequestException or OperationCanceledException or IOException
                && !cancellationToken.IsCancellationRequested)
        {
            var why = e is HttpOperationException h ? $"the API answered {(int)h.Response.StatusCode}"
                : e.Message.Split('\n')[0];
            log.LogWarning("Kinds ConfigMap {Namespace}/{Name} not read ({Why}); using the defaults", ns, name, why);
            return [];
        }
    }

    /// <summary>The cluster this process runs in, when it runs in
    /// one: its ConfigMaps hold the kinds extension.</summary>
    public static IKubernetes? InCluster()
    {
        if (!KubernetesClientConfiguration.IsInCluster()) return null;
        return new Kubernetes(KubernetesClientConfiguration.InClusterConfig());
    }
}
