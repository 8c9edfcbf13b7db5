using Catalyst.Testing;
using k8s.Models;

namespace Catalyst.Deploy.Tests;

/// <summary>deploy/keda/README.md tells the operator every Secret the pods cannot start without, and how to apply each overlay.</summary>
public sealed class OperatorGuideTests
{
    static string Guide => File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "keda", "README.md"));

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryRequiredSecretTheOverlayDoesNotCreateIsInTheGuide(string overlay)
    {
        var m = Manifests.Of(overlay);
        var required = m.AppEnvironment().Values
            .Where(s => s.Origin is EnvOrigin.SecretKey or EnvOrigin.ConfigMapKey && !s.Optional)
            .Where(s => s.Origin == EnvOrigin.SecretKey ? m.Secret(s.SourceName!) is null : m.ConfigMap(s.SourceName!) is null)
            .Select(s => s.SourceName!)
            .Distinct();
        foreach (var name in required)
            Assert.True(Guide.Contains($"`{name}`", StringComparison.Ordinal), $"{overlay} needs {name}, which it does not create: deploy/keda/README.md must name it (as `{name}`)");
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TheGuideShowsHowToApplyEachOverlay(string overlay) =>
        Assert.Contains($"kubectl apply -k deploy/keda/overlays/{overlay}", Guide);
}
