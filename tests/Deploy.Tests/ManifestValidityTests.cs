using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Catalyst.Deploy.Tests;

/// <summary>Each overlay renders, every object is valid against its schema, and the set of objects is the intended one.</summary>
public sealed class ManifestValidityTests
{
    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryObjectIsValidAgainstTheKubernetesOrKedaSchema(string overlay)
    {
        var file = Kustomize.RenderToFile(overlay);
        IReadOnlyList<NodeValidator.Result> results;
        try
        {
            results = NodeValidator.Validate(file);
        }
        finally
        {
            File.Delete(file);
        }

        Assert.NotEmpty(results);
        var failures = results.Where(r => r.Errors.Count > 0).Select(r => $"{r.Kind}/{r.Name}: {string.Join("; ", r.Errors)}").ToList();
        Assert.True(failures.Count == 0, $"{overlay}:\n{string.Join("\n", failures)}");
        Assert.Contains(results, r => r.ValidatedBy == "keda-crd");
        Assert.Contains(results, r => r.ValidatedBy == "kubernetes-models");
    }

    [Fact]
    public void TheSchemaValidatorRejectsWhatTheApiServerWould()
    {
        // The validator itself must be able to fail: a wrong type, an unknown KEDA field, a missing required field.
        var broken = Kustomize.Render("azure-storage")
            .Replace("containerPort: 8080", "containerPort: eighty-eighty")
            .Replace("secretTargetRef:", "secretTargetRefs:")
            .Replace("minReplicaCount: 1", "minReplicaCount: \"1\"");
        var path = Path.Combine(Path.GetTempPath(), $"catalyst-deploy-{Environment.ProcessId}-broken.yaml");
        File.WriteAllText(path, broken + "\n---\napiVersion: example.com/v1\nkind: Unknown\nmetadata:\n  name: x\n");
        var errors = NodeValidator.Validate(path).Where(r => r.Errors.Count > 0).ToDictionary(r => r.Kind!, r => string.Join("; ", r.Errors));
        File.Delete(path);
        Assert.Contains("containerPort", errors["Deployment"]);
        Assert.Contains("secretTargetRefs", errors["TriggerAuthentication"]);
        Assert.Contains("minReplicaCount", errors["ScaledObject"]);
        Assert.Contains("no schema", errors["Unknown"]);
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TheTypedModelsReadEveryObjectStrictly(string overlay)
    {
        // Manifests.Of loads with strict: true, so an unknown field anywhere fails here with its path.
        var manifests = Manifests.Of(overlay);
        Assert.Equal(Kustomize.Render(overlay).Split("\n---").Count(d => d.Contains("kind:")), manifests.Objects.Count);
    }

    [Fact]
    public void StrictLoadingRejectsAnUnknownField()
    {
        var yaml = Kustomize.Render("azure-storage").Replace("initialDelaySeconds: 3", "initialDelaySecond: 3");
        Assert.ThrowsAny<Exception>(() => Manifests.Load("broken", yaml));
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TheAppIsOneDeploymentWithItsServiceBudgetScalerAndIdentity(string overlay)
    {
        var m = Manifests.Of(overlay);
        Assert.Single(m.All<V1Deployment>(), d => d.Metadata.Name == Manifests.AppName);
        m.Single<V1Service>(Manifests.AppName);
        m.Single<V1ServiceAccount>(Manifests.AppName);
        m.Single<V1PodDisruptionBudget>(Manifests.AppName);
        Assert.Single(m.All<V1Alpha1ScaledObject>());
        Assert.NotEmpty(m.All<V1Alpha1TriggerAuthentication>());
        Assert.Equal(Manifests.AppName, m.App.Spec.Template.Spec.ServiceAccountName);

        // Never split HTTP from Durable functions: no function is disabled (AzureWebJobs.<Function>.Disabled).
        var disabled = m.AppEnvironment().Keys.Where(k => k.StartsWith("AzureWebJobs.", StringComparison.Ordinal) && k.EndsWith(".Disabled", StringComparison.Ordinal)).ToList();
        Assert.True(disabled.Count == 0, $"{overlay}: functions disabled: {string.Join(", ", disabled)}");
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryObjectIsInTheCatalystNamespace(string overlay)
    {
        var outside = Manifests.Of(overlay).Objects.Where(o => o.Metadata.NamespaceProperty != Manifests.Namespace).Select(Manifests.Describe).ToList();
        Assert.True(outside.Count == 0, $"{overlay}: not in namespace {Manifests.Namespace}: {string.Join(", ", outside)} (set `namespace:` in the overlay's kustomization too: generators there do not inherit the base's)");
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void NoPersistentVolumeAnywhere(string overlay)
    {
        var m = Manifests.Of(overlay);
        Assert.Empty(m.All<V1PersistentVolumeClaim>());
        foreach (var deployment in m.All<V1Deployment>())
        {
            var claims = deployment.Spec.Template.Spec.Volumes?.Where(v => v.PersistentVolumeClaim is not null || v.HostPath is not null).Select(v => v.Name).ToList() ?? [];
            Assert.True(claims.Count == 0, $"{overlay}: {deployment.Metadata.Name} mounts {string.Join(", ", claims)}; state belongs in the storage account");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryReferencedConfigMapAndSecretKeyExistsWhenRendered(string overlay)
    {
        var m = Manifests.Of(overlay);
        foreach (var setting in m.AppEnvironment().Values.Where(s => s.Origin is EnvOrigin.SecretKey or EnvOrigin.ConfigMapKey))
        {
            if (setting.Origin == EnvOrigin.SecretKey && m.Secret(setting.SourceName!) is { } secret)
                Assert.True(secret.Data?.ContainsKey(setting.Key!) == true || secret.StringData?.ContainsKey(setting.Key!) == true,
                    $"{overlay}: {setting.Name} reads key {setting.Key} of Secret {setting.SourceName}, which has no such key");
            if (setting.Origin == EnvOrigin.ConfigMapKey && m.ConfigMap(setting.SourceName!) is { } map)
                Assert.True(map.Data?.ContainsKey(setting.Key!) == true,
                    $"{overlay}: {setting.Name} reads key {setting.Key} of ConfigMap {setting.SourceName}, which has no such key");
        }
    }

    /// <summary>The kustomization fields Debian's kubectl 1.20 (built-in kustomize v2.0.3) understands, as used here.</summary>
    static readonly IReadOnlySet<string> OldKustomizeFields = new HashSet<string>
    {
        "apiVersion", "kind", "namespace", "bases", "resources", "patchesStrategicMerge", "patchesJson6902",
        "configMapGenerator", "secretGenerator", "generatorOptions", "images", "commonLabels",
    };

    [Fact]
    public void KustomizationsUseOnlyWhatDebiansKubectlUnderstands()
    {
        // CI may have a newer kubectl than operators on Debian; this keeps the files within kustomize v2.0.3 either way.
        foreach (var file in Directory.EnumerateFiles(Kustomize.KedaRoot, "kustomization.yaml", SearchOption.AllDirectories))
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(file)));
            var root = (YamlMappingNode)stream.Documents.Single().RootNode;
            foreach (var (key, value) in root.Children)
            {
                var field = ((YamlScalarNode)key).Value!;
                Assert.True(OldKustomizeFields.Contains(field), $"{file}: '{field}' is not understood by Debian's kubectl (kustomize v2.0.3)");
                if (field is "resources" or "patchesStrategicMerge")
                    foreach (var item in ((YamlSequenceNode)value).Children.Cast<YamlScalarNode>())
                        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(file)!, item.Value!)),
                            $"{file}: {field} entry '{item.Value}' must be a file (kustomize v2.0.3 reads folders only under `bases:`)");
                if (field is "configMapGenerator" or "secretGenerator")
                    foreach (var generator in ((YamlSequenceNode)value).Children.Cast<YamlMappingNode>())
                        Assert.False(generator.Children.ContainsKey(new YamlScalarNode("options")),
                            $"{file}: per-generator `options` is not understood by kustomize v2.0.3; use generatorOptions");
            }
        }
    }
}
