using k8s.Models;

namespace Catalyst.Deploy.Tests;

/// <summary>KEDA scales the one Deployment on the task hub's queues, named after host.json, with the tuning the manifest explains.</summary>
public sealed class ScalingTests
{
    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TriggersWatchExactlyTheTaskHubsQueues(string overlay)
    {
        var m = Manifests.Of(overlay);
        // The Deployment may override host.json's hub name; the queues must follow whichever the app will use.
        var hub = m.AppEnvironment().TryGetValue("AzureFunctionsJobHost__extensions__durableTask__hubName", out var setting) && setting.Value is { Length: > 0 } v
            ? v
            : AppFacts.HubName;
        Assert.Equal(AppFacts.HubName, hub);
        var partitions = m.AppEnvironment().TryGetValue("AzureFunctionsJobHost__extensions__durableTask__storageProvider__partitionCount", out var p) && int.TryParse(p.Value, out var n)
            ? n
            : AppFacts.PartitionCount;

        var expected = Enumerable.Range(0, partitions).Select(i => $"{hub.ToLowerInvariant()}-control-{i:00}")
            .Append($"{hub.ToLowerInvariant()}-workitems").Order(StringComparer.Ordinal);
        var triggers = m.ScaledObject.Spec.Triggers;
        Assert.All(triggers, t => Assert.Equal("azure-queue", t.Type));
        Assert.Equal(expected, triggers.Select(t => t.Metadata["queueName"]).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void QueueLengthsAreTheTunedOnes(string overlay)
    {
        var triggers = Manifests.Of(overlay).ScaledObject.Spec.Triggers;
        var workItems = triggers.Single(t => t.Metadata["queueName"].EndsWith("-workitems", StringComparison.Ordinal));
        // One replica runs CATALYST_TOFU_MAX_PARALLEL applies at once (the long work items); the default strategy counts
        // those in flight. Other activities take milliseconds and barely show in the count.
        var env = Manifests.Of(overlay).AppEnvironment();
        var tofuSlots = env.TryGetValue("CATALYST_TOFU_MAX_PARALLEL", out var set) && set.Value is { } value ? value : Catalyst.Domain.Tofu.TofuSettings.DefaultMaxParallel.ToString();
        Assert.Equal(tofuSlots, workItems.Metadata["queueLength"]);
        Assert.True(AppFacts.MaxConcurrentActivityFunctions > int.Parse(tofuSlots), "activities must outnumber tofu slots, or applies hold up every other step");
        Assert.False(workItems.Metadata.ContainsKey("queueLengthStrategy"), "workitems must count in-flight activities (the default strategy, all)");

        foreach (var control in triggers.Where(t => t.Metadata["queueName"].Contains("-control-", StringComparison.Ordinal)))
        {
            // Durable timers wait in the control queues as invisible messages: only the visible backlog is work waiting.
            Assert.Equal("visibleonly", control.Metadata["queueLengthStrategy"]);
            Assert.True(int.TryParse(control.Metadata["queueLength"], out var length) && length >= 1, $"{control.Name}: queueLength must be a positive number");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void ReplicasStayBetweenOneAndThePartitionCountAndScaleDownSlowly(string overlay)
    {
        var m = Manifests.Of(overlay);
        var spec = m.ScaledObject.Spec;
        Assert.Equal(1, spec.MinReplicaCount); // HTTP and timers live on every replica: never zero.
        Assert.InRange(spec.MaxReplicaCount ?? 100, 2, AppFacts.PartitionCount);
        Assert.True(spec.CooldownPeriod >= 1800, "cooldownPeriod must outlast an apply (30 min)");
        // With minReplicaCount 1, cooldownPeriod never applies; the HPA's scale-down window is what protects an apply.
        var scaleDown = spec.Advanced?.HorizontalPodAutoscalerConfig?.Behavior?.ScaleDown;
        Assert.True(scaleDown?.StabilizationWindowSeconds >= 1800, "the HPA scale-down stabilization window must outlast an apply (30 min)");
        Assert.All(scaleDown!.Policies, policy => Assert.True(policy.Type == "Pods" && policy.Value == 1, "scale down one pod at a time"));
        Assert.Null(m.App.Spec.Replicas); // KEDA's HPA owns the count.
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void KedaTargetsTheAppAndReadsTheSameStorageAccount(string overlay)
    {
        var m = Manifests.Of(overlay);
        var target = m.ScaledObject.Spec.ScaleTargetRef;
        Assert.Equal(Manifests.AppName, target.Name);
        Assert.True(target.Kind is null or "Deployment" && target.ApiVersion is null or "apps/v1", "the scale target is the Deployment");

        var storage = m.AppEnvironment()["AzureWebJobsStorage"];
        foreach (var trigger in m.ScaledObject.Spec.Triggers)
        {
            Assert.True(trigger.AuthenticationRef is not null, $"{trigger.Name}: no authenticationRef");
            Assert.True(trigger.AuthenticationRef.Kind is null or "TriggerAuthentication", $"{trigger.Name}: expected a TriggerAuthentication");
            var auth = m.Single<V1Alpha1TriggerAuthentication>(trigger.AuthenticationRef.Name);
            if (auth.Spec.PodIdentity is { Provider: not "none" })
            {
                Assert.True(trigger.Metadata.ContainsKey("accountName"), $"{trigger.Name}: pod identity needs accountName");
                continue;
            }

            var connection = Assert.Single(auth.Spec.SecretTargetRef ?? [], r => r.Parameter == "connection");
            Assert.True(connection.Name == storage.SourceName && connection.Key == storage.Key,
                $"{overlay}: KEDA reads {connection.Name}/{connection.Key}, the app {storage.SourceName}/{storage.Key}: they must be the same account");
        }
    }
}
