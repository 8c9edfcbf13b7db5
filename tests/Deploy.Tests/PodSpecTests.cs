using Catalyst.Domain.Configuration;
using k8s.Models;

namespace Catalyst.Deploy.Tests;

/// <summary>The pod keeps the seed's security, resources and volumes, loses the PVC and Recreate, and stops inside its grace period.</summary>
public sealed class PodSpecTests
{
    const long NonRootUid = 65534;

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryContainerRunsNonRootWithoutPrivilegeEscalation(string overlay)
    {
        foreach (var deployment in Manifests.Of(overlay).All<V1Deployment>())
        {
            var pod = deployment.Spec.Template.Spec;
            foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
            {
                var where = $"{overlay}: {deployment.Metadata.Name}/{container.Name}";
                var runAsNonRoot = container.SecurityContext?.RunAsNonRoot ?? pod.SecurityContext?.RunAsNonRoot;
                var runAsUser = container.SecurityContext?.RunAsUser ?? pod.SecurityContext?.RunAsUser;
                Assert.True(runAsNonRoot == true, $"{where}: runAsNonRoot must be true");
                Assert.True(runAsUser is > 0, $"{where}: runAsUser must be a non-zero UID");
                Assert.True(container.SecurityContext?.AllowPrivilegeEscalation == false, $"{where}: allowPrivilegeEscalation must be false");
                Assert.True(container.SecurityContext?.Privileged != true, $"{where}: must not be privileged");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TheAppRunsAsTheSeedsUidWithTheSeedsResources(string overlay)
    {
        var m = Manifests.Of(overlay);
        var pod = m.App.Spec.Template.Spec;
        Assert.Equal(NonRootUid, pod.SecurityContext.RunAsUser);
        Assert.Equal(NonRootUid, pod.SecurityContext.FsGroup);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        var container = m.AppContainer;
        Assert.Equal(NonRootUid, container.SecurityContext.RunAsUser);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);

        var resources = container.Resources;
        Assert.Equal(new ResourceQuantity("50m"), resources.Requests["cpu"]);
        Assert.Equal(new ResourceQuantity("128Mi"), resources.Requests["memory"]);
        Assert.Equal(new ResourceQuantity("1"), resources.Limits["cpu"]);
        Assert.Equal(new ResourceQuantity("1Gi"), resources.Limits["memory"]);
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void VolumesAreTheSeedsWithoutThePersistentOnes(string overlay)
    {
        var m = Manifests.Of(overlay);
        var pod = m.App.Spec.Template.Spec;
        var volumes = pod.Volumes.ToDictionary(v => v.Name);
        var mounts = m.AppContainer.VolumeMounts.ToDictionary(v => v.MountPath);

        Assert.Equal(new ResourceQuantity("2Gi"), volumes[mounts["/tmp"].Name].EmptyDir?.SizeLimit);
        Assert.Equal(new ResourceQuantity("256Mi"), volumes[mounts["/home/nonroot"].Name].EmptyDir?.SizeLimit);

        // The handover JWK: the optional Secret as a directory, read-only, never through subPath (seed incident otech48).
        var jwk = mounts["/etc/catalyst/handover-jwt-public"];
        Assert.True(jwk.ReadOnlyProperty);
        var secret = volumes[jwk.Name].Secret;
        Assert.Equal("catalyst-handover-jwt-public", secret?.SecretName);
        Assert.True(secret!.Optional);
        Assert.Equal("public.jwk", Assert.Single(secret.Items).Path);
        Assert.StartsWith(jwk.MountPath + "/", m.AppEnvironment()["CATALYST_HANDOVER_JWT_PUBLIC_KEY_PATH"].Value);
        Assert.All(m.AppContainer.VolumeMounts, v => Assert.True(string.IsNullOrEmpty(v.SubPath), $"{v.Name}: no subPath mounts"));

        // Scratch paths the app writes live on those emptyDirs.
        Assert.StartsWith("/tmp/", m.AppEnvironment()["CATALYST_TOFU_WORKDIR"].Value);
        Assert.Equal("/home/nonroot", m.AppEnvironment()["HOME"].Value);
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void RollingUpdateWithoutTheRecreateWorkarounds(string overlay)
    {
        var app = Manifests.Of(overlay).App;
        Assert.Equal("RollingUpdate", app.Spec.Strategy.Type);
        Assert.Equal("0", app.Spec.Strategy.RollingUpdate?.MaxUnavailable?.Value); // never zero ready endpoints in a rollout
        Assert.False(app.Metadata.Annotations?.ContainsKey("kustomize.toolkit.fluxcd.io/force") ?? false,
            "the Flux force annotation recovered from Recreate/RollingUpdate flips; there is no Recreate any more");
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void ReloaderWatchesWhatThePodReadsForTheStartupRace(string overlay)
    {
        var m = Manifests.Of(overlay);
        var annotations = m.App.Metadata.Annotations ?? new Dictionary<string, string>();
        Assert.True(annotations.TryGetValue("configmap.reloader.stakater.com/reload", out var configMaps), "the sovereign-fqdn race still needs Reloader");
        Assert.True(annotations.TryGetValue("secret.reloader.stakater.com/reload", out var secrets), "the handover JWK race still needs Reloader");

        var env = m.AppEnvironment().Values;
        var pod = m.App.Spec.Template.Spec;
        var configMapsRead = env.Where(e => e.Origin == EnvOrigin.ConfigMapKey).Select(e => e.SourceName).ToHashSet();
        var secretsRead = env.Where(e => e.Origin == EnvOrigin.SecretKey).Select(e => e.SourceName)
            .Concat(pod.Volumes.Where(v => v.Secret is not null).Select(v => v.Secret.SecretName)).ToHashSet();

        var watchedMaps = configMaps.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var watchedSecrets = secrets.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("sovereign-fqdn", watchedMaps);
        Assert.Contains("catalyst-handover-jwt-public", watchedSecrets);
        Assert.All(watchedMaps, n => Assert.True(configMapsRead.Contains(n), $"Reloader watches ConfigMap {n}, which the pod does not read"));
        Assert.All(watchedSecrets, n => Assert.True(secretsRead.Contains(n), $"Reloader watches Secret {n}, which the pod does not read"));
    }

    /// <summary>
    /// How long the app gives a running tofu after SIGINT before it abandons the activity (the tofu runner's interrupt
    /// wait). The drain must cover it, or shutdown cuts tofu off before it writes its state.
    /// </summary>
    static readonly TimeSpan TofuInterruptWait = TimeSpan.FromSeconds(20);

    /// <summary>StandaloneHost's last resort: the process exits this long after the shutdown timeout.</summary>
    static readonly TimeSpan LastResortExit = TimeSpan.FromSeconds(5);

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void ShutdownFitsInsideTheGracePeriod(string overlay)
    {
        var m = Manifests.Of(overlay);
        var env = m.AppEnvironment();
        string? Read(string name) => env.TryGetValue(name, out var s) ? s.Value : null;
        // The app's own defaults and rules (ShutdownSettings): drain 20 s, total drain + 10 s, total > drain.
        var drain = Settings.Duration(Read, "CATALYST_SHUTDOWN_DRAIN_TIMEOUT", TimeSpan.FromSeconds(20));
        var total = Settings.Duration(Read, "CATALYST_SHUTDOWN_TIMEOUT", drain + TimeSpan.FromSeconds(10));
        Assert.True(total > drain, "CATALYST_SHUTDOWN_TIMEOUT must be longer than the drain");
        Assert.True(drain >= TofuInterruptWait + TimeSpan.FromSeconds(10),
            $"the drain ({drain}) must let tofu finish its interrupt ({TofuInterruptWait}) and the activity record it");

        var preStop = PreStopSleep(m.AppContainer);
        var grace = TimeSpan.FromSeconds(m.App.Spec.Template.Spec.TerminationGracePeriodSeconds ?? 30);
        Assert.True(preStop + total + LastResortExit < grace,
            $"preStop {preStop} + shutdown {total} + last resort {LastResortExit} must end before the grace period {grace} (the kubelet's SIGKILL)");
    }

    static TimeSpan PreStopSleep(V1Container container)
    {
        var preStop = container.Lifecycle?.PreStop;
        if (preStop?.Sleep is { } sleep) return TimeSpan.FromSeconds(sleep.Seconds);
        if (preStop?.Exec?.Command is [.., var last] command && command.Contains("sleep") && int.TryParse(last, out var seconds))
            return TimeSpan.FromSeconds(seconds);
        Assert.True(preStop is null, "a preStop hook the test cannot time: teach PreStopSleep about it");
        return TimeSpan.Zero;
    }
}
