using Catalyst.Domain.ClusterCache;
using Catalyst.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Catalyst.Domain.Tests.ClusterCache;

public class KindRegistryTests
{
    [Fact]
    public void DefaultsAreTheSeedEraKindsWithoutTheLaterAdditions()
    {
        var registry = KindRegistry.WithDefaults();
        Assert.Equal(
            new[]
            {
                "configmap", "daemonset", "deployment", "ingress", "loadbalancer.hcloud", "namespace", "network.hcloud", "node", "persistentvolumeclaim",
                "pod", "secret", "server.hcloud", "service", "statefulset", "vcluster", "volume.hcloud",
            },
            registry.Names);
        Assert.True(registry.Find("secret")!.Sensitive);
        Assert.True(registry.Find("configmap")!.Sensitive);
        Assert.False(registry.Find("pod")!.Sensitive);
        Assert.Equal("apis/apps/v1/deployments", registry.Find("deployment")!.CollectionPath);
        Assert.Equal("api/v1/pods", registry.Find("pod")!.CollectionPath);
        Assert.False(registry.Find("node")!.Namespaced);
        Assert.Null(registry.Find("replicaset"));
        Assert.Null(registry.Find("persistentvolume"));
    }

    [Fact]
    public void NamesAreCanonicalAndPluralIsNotSingular()
    {
        var registry = KindRegistry.WithDefaults();
        Assert.Same(registry.Find("pod"), registry.Find(" P o D "));
        Assert.Null(registry.Find("pods"));
        Assert.Throws<ArgumentException>(() => registry.Add(new KindSpec("thing", "example.com", "v1", "", true)));
        Assert.Throws<ArgumentException>(() => registry.Add(new KindSpec("  ", "example.com", "v1", "things", true)));
    }

    [Fact]
    public void LinesParseSkipBadOnesWithAWarningAndOverrideDefaults()
    {
        var warnings = new List<string>();
        var parsed = KindRegistry.ParseLines("""
            # Flux objects
            helmrelease,helm.toolkit.fluxcd.io,v2,helmreleases,true

            Kustomization , kustomize.toolkit.fluxcd.io , v1 , kustomizations , TRUE
            tooshort,a,v1,things
            bad,evil/../x,v1,things,true
            pod,,v1,pods,true,true
            """, "test", warnings.Add);

        Assert.Equal(["helmrelease", "kustomization", "pod"], parsed.Select(k => k.Name));
        Assert.Equal(2, warnings.Count);
        Assert.Contains("line 5", warnings[0]);
        Assert.Contains("line 6", warnings[1]);
        Assert.True(parsed[1].Namespaced);

        var registry = KindRegistry.WithDefaults();
        foreach (var kind in parsed) registry.Add(kind);
        Assert.True(registry.Find("pod")!.Sensitive); // the same name replaced the default
        Assert.Equal("apis/helm.toolkit.fluxcd.io/v2/helmreleases", registry.Find("helmrelease")!.CollectionPath);
        Assert.Equal(18, registry.Names.Count);
    }

    [Fact]
    public async Task FileExtendsTheDefaultsAndAMissingFileIsOnlyAWarning()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kinds-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(path, "helmrelease,helm.toolkit.fluxcd.io,v2,helmreleases,true\nnot a kind\n");
        try
        {
            var registry = await KindSources.LoadAsync(new ClusterCacheOptions { KindsFile = path }, () => null, NullLogger.Instance, CancellationToken.None);
            Assert.NotNull(registry.Find("helmrelease"));
            Assert.Equal(17, registry.Names.Count);
        }
        finally
        {
            File.Delete(path);
        }
        var defaults = await KindSources.LoadAsync(new ClusterCacheOptions { KindsFile = path, KindsConfigMap = "kinds" }, () => null, NullLogger.Instance, CancellationToken.None);
        Assert.Equal(KindRegistry.Defaults.Count, defaults.Names.Count);
    }

    [Fact]
    public async Task ConfigMapIsReadFromKindsTxtElseKindsAndAnAbsentOneLeavesTheDefaults()
    {
        await using var api = await FakeCachedKindsApi.StartAsync();
        using var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(api.Kubeconfig()))));
        api.ConfigMapData["catalyst/catalyst-k8scache-kinds"] = new()
        {
            ["kinds.txt"] = "helmrelease,helm.toolkit.fluxcd.io,v2,helmreleases,true",
            ["kinds"] = "ignored,x,v1,ys,true",
        };
        api.ConfigMapData["other/fallback"] = new() { ["kinds"] = "kustomization,kustomize.toolkit.fluxcd.io,v1,kustomizations,true" };

        var options = new ClusterCacheOptions { KindsConfigMap = "catalyst-k8scache-kinds" };
        var registry = await KindSources.LoadAsync(options, () => client, NullLogger.Instance, CancellationToken.None);
        Assert.NotNull(registry.Find("helmrelease"));
        Assert.Null(registry.Find("ignored"));

        var fallback = await KindSources.FromConfigMapAsync(client, "other", "fallback", NullLogger.Instance, CancellationToken.None);
        Assert.Equal("kustomization", Assert.Single(fallback).Name);
        Assert.Empty(await KindSources.FromConfigMapAsync(client, "catalyst", "absent", NullLogger.Instance, CancellationToken.None));
    }
}
