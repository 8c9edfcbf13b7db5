using k8s.Models;

namespace Catalyst.Deploy.Tests;

/// <summary>Probes ask routes the app serves, on the port it listens on, with the seed's timings; the Service reaches that port.</summary>
public sealed class ProbeAndPortTests
{
    const int AppPort = 8080;

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void LivenessAndReadinessAreTheSeeds(string overlay)
    {
        var container = Manifests.Of(overlay).AppContainer;
        AssertProbe(container.LivenessProbe, "/healthz", initialDelay: 3, period: 10);
        AssertProbe(container.ReadinessProbe, "/readyz", initialDelay: 2, period: 5);
    }

    static void AssertProbe(V1Probe? probe, string path, int initialDelay, int period)
    {
        Assert.NotNull(probe);
        Assert.Equal(path, probe.HttpGet?.Path);
        Assert.Equal(initialDelay, probe.InitialDelaySeconds);
        Assert.Equal(period, probe.PeriodSeconds);
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryProbePathIsAGetRouteTheAppServes(string overlay)
    {
        var prefix = AppFacts.RoutePrefix.Trim('/');
        var served = AppFacts.HttpRoutes()
            .Where(r => r.Methods.Count == 0 || r.Methods.Contains("GET"))
            .Select(r => "/" + string.Join('/', new[] { prefix, r.Route.Trim('/') }.Where(s => s.Length > 0)))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var container = Manifests.Of(overlay).AppContainer;
        foreach (var (kind, probe) in Probes(container))
        {
            var path = probe.HttpGet?.Path;
            Assert.True(path is not null, $"{overlay}: the {kind} probe is not an HTTP GET");
            Assert.True(served.Contains(path), $"{overlay}: the {kind} probe asks {path}, which functions.metadata does not serve (served: {string.Join(", ", served)})");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void ProbesServiceAndPortAllMeetAt8080(string overlay)
    {
        var m = Manifests.Of(overlay);
        var container = m.AppContainer;
        var ports = container.Ports ?? [];
        Assert.Contains(ports, p => p.ContainerPort == AppPort);
        foreach (var (kind, probe) in Probes(container))
            Assert.True(Resolve(probe.HttpGet!.Port, ports) == AppPort, $"{overlay}: the {kind} probe targets {probe.HttpGet.Port}, not {AppPort}");

        Assert.True(m.AppEnvironment().TryGetValue("PORT", out var port) && port.Value == AppPort.ToString(), $"{overlay}: PORT must be {AppPort}");

        var service = m.Single<V1Service>(Manifests.AppName);
        var http = Assert.Single(service.Spec.Ports);
        Assert.Equal(80, http.Port);
        Assert.Equal(AppPort, Resolve(http.TargetPort, ports));
        Assert.True(service.Spec.Selector.All(kv => m.App.Spec.Template.Metadata.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value),
            $"{overlay}: the Service selector does not select the app's pods");
    }

    static IEnumerable<(string Kind, V1Probe Probe)> Probes(V1Container container)
    {
        if (container.LivenessProbe is { } liveness) yield return ("liveness", liveness);
        if (container.ReadinessProbe is { } readiness) yield return ("readiness", readiness);
        if (container.StartupProbe is { } startup) yield return ("startup", startup);
    }

    static int? Resolve(IntOrString port, IList<V1ContainerPort> ports) =>
        int.TryParse(port.Value, out var number) ? number : ports.SingleOrDefault(p => p.Name == port.Value)?.ContainerPort;
}
