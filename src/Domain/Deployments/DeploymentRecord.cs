using System.Text.Json.Serialization;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// What Catalyst remembers about one deployment (DESIGN §6): the redacted request, where the workflow is, what it
/// produced, and — when it failed — who must act. Secrets are never here: only the bearer's SHA-256.
/// </summary>
public sealed record DeploymentRecord
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("phase")] public string Phase { get; init; } = "";
    [JsonPropertyName("step")] public string Step { get; init; } = "";
    [JsonPropertyName("progress")] public int Progress { get; init; }
    [JsonPropertyName("request")] public required DeploymentRequest Request { get; init; }
    [JsonPropertyName("result"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DeploymentResult? Result { get; init; }
    [JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Error { get; init; }
    [JsonPropertyName("failure"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DeploymentFailure? Failure { get; init; }
    [JsonPropertyName("startedAt")] public required DateTimeOffset StartedAt { get; init; }
    [JsonPropertyName("updatedAt")] public DateTimeOffset UpdatedAt { get; init; }
    [JsonPropertyName("finishedAt")] public DateTimeOffset? FinishedAt { get; init; }
    [JsonPropertyName("kubeconfigBearerHash")] public required string KubeconfigBearerHash { get; init; }
    [JsonPropertyName("sandbox")] public bool Sandbox { get; init; }
    [JsonPropertyName("wipe"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public WipeReport? Wipe { get; init; }
    /// <summary>Bumped by each retry so the workflow's own writes can tell a new run from a stale one.</summary>
    [JsonPropertyName("run")] public int Run { get; init; } = 1;
}

/// <summary>What provisioning produced (reference B.8 Result).</summary>
public sealed record DeploymentResult
{
    [JsonPropertyName("sovereignFQDN")] public string SovereignFqdn { get; init; } = "";
    [JsonPropertyName("controlPlaneIP")] public string ControlPlaneIp { get; init; } = "";
    [JsonPropertyName("loadBalancerIP")] public string LoadBalancerIp { get; init; } = "";
    [JsonPropertyName("consoleURL")] public string ConsoleUrl { get; init; } = "";
    [JsonPropertyName("gitopsRepoURL")] public string GitopsRepoUrl { get; init; } = "";
    [JsonPropertyName("kubeconfigReceivedAt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? KubeconfigReceivedAt { get; init; }
    [JsonPropertyName("componentStates"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? ComponentStates { get; init; }
    [JsonPropertyName("phase1FinishedAt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? Phase1FinishedAt { get; init; }
    [JsonPropertyName("phase1Outcome"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Phase1Outcome { get; init; }
}

/// <summary>Why a deployment failed, in which phase, and whether the user or the operator must act.</summary>
public sealed record DeploymentFailure(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("phase")] string Phase,
    [property: JsonPropertyName("actor")] string Actor,
    [property: JsonPropertyName("detail")] string? Detail = null);

public static class Actors
{
    public const string User = "user";
    public const string Operator = "operator";
}

/// <summary>Deployment statuses (reference B.9).</summary>
public static class DeploymentStatuses
{
    public const string Provisioning = "provisioning";
    public const string Phase1Watching = "phase1-watching";
    public const string Ready = "ready";
    public const string Failed = "failed";
    public const string Adopted = "adopted";
    public const string Wiping = "wiping";
    public const string Wiped = "wiped";

    /// <summary>A workflow is running: a retry must wait (reference A.15).</summary>
    public static bool InFlight(string status) => status is Provisioning or "pending" or "tofu-applying" or "flux-bootstrapping";

    public static bool IsDone(string status) => status is Ready or Failed or Adopted or Wiped;
}
