using k8s;
using k8s.Models;

namespace Catalyst.Deploy.Tests;

// Typed models of the KEDA objects the manifests use, so KubernetesClient's strict YAML loader reads them like the
// built-in kinds (an unknown field fails the load). Schema validation proper is ajv against KEDA's CRD schema
// (validate-manifests.mjs); these classes hold only what the tests read, plus the optional fields an operator may add.

public sealed class V1Alpha1ScaledObject : IKubernetesObject<V1ObjectMeta>
{
    public const string KubeApiVersion = "keda.sh/v1alpha1";
    public const string KubeKind = "ScaledObject";
    public string ApiVersion { get; set; } = KubeApiVersion;
    public string Kind { get; set; } = KubeKind;
    public V1ObjectMeta Metadata { get; set; } = new();
    public ScaledObjectSpec Spec { get; set; } = new();
}

public sealed class ScaledObjectSpec
{
    public ScaleTargetRef ScaleTargetRef { get; set; } = new();
    public int? MinReplicaCount { get; set; }
    public int? MaxReplicaCount { get; set; }
    public int? IdleReplicaCount { get; set; }
    public int? PollingInterval { get; set; }
    public int? CooldownPeriod { get; set; }
    public int? InitialCooldownPeriod { get; set; }
    public ScaledObjectAdvanced? Advanced { get; set; }
    public ScaledObjectFallback? Fallback { get; set; }
    public List<ScaleTrigger> Triggers { get; set; } = [];
}

public sealed class ScaleTargetRef
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public string Name { get; set; } = "";
    public string? EnvSourceContainerName { get; set; }
}

public sealed class ScaledObjectAdvanced
{
    public HorizontalPodAutoscalerConfig? HorizontalPodAutoscalerConfig { get; set; }
    public bool? RestoreToOriginalReplicaCount { get; set; }
}

public sealed class HorizontalPodAutoscalerConfig
{
    public string? Name { get; set; }
    public V2HorizontalPodAutoscalerBehavior? Behavior { get; set; }
}

public sealed class ScaledObjectFallback
{
    public int FailureThreshold { get; set; }
    public int Replicas { get; set; }
    public string? Behavior { get; set; }
}

public sealed class ScaleTrigger
{
    public string Type { get; set; } = "";
    public string? Name { get; set; }
    public string? MetricType { get; set; }
    public bool? UseCachedMetrics { get; set; }
    public Dictionary<string, string> Metadata { get; set; } = [];
    public AuthenticationRef? AuthenticationRef { get; set; }
}

public sealed class AuthenticationRef
{
    public string Name { get; set; } = "";
    public string? Kind { get; set; }
}

public sealed class V1Alpha1TriggerAuthentication : IKubernetesObject<V1ObjectMeta>
{
    public const string KubeApiVersion = "keda.sh/v1alpha1";
    public const string KubeKind = "TriggerAuthentication";
    public string ApiVersion { get; set; } = KubeApiVersion;
    public string Kind { get; set; } = KubeKind;
    public V1ObjectMeta Metadata { get; set; } = new();
    public TriggerAuthenticationSpec Spec { get; set; } = new();
}

public sealed class TriggerAuthenticationSpec
{
    public List<AuthTargetRef>? SecretTargetRef { get; set; }
    public List<AuthTargetRef>? ConfigMapTargetRef { get; set; }
    public List<AuthEnvironment>? Env { get; set; }
    public AuthPodIdentity? PodIdentity { get; set; }
}

public sealed class AuthTargetRef
{
    public string Parameter { get; set; } = "";
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
}

public sealed class AuthEnvironment
{
    public string Parameter { get; set; } = "";
    public string Name { get; set; } = "";
    public string? ContainerName { get; set; }
}

public sealed class AuthPodIdentity
{
    public string Provider { get; set; } = "";
    public string? IdentityId { get; set; }
    public string? IdentityTenantId { get; set; }
    public string? IdentityAuthorityHost { get; set; }
    public string? IdentityOwner { get; set; }
    public string? RoleArn { get; set; }
}
