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
    [JsonPropertyName("result"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DeploymentResult? Result { get; init; }
    [JsonPropertyName("error"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Error { get; init; }
    [JsonPropertyName("failure"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DeploymentFailure? Failure { get; init; }
    [JsonPropertyName("startedAt")] public required DateTimeOffset StartedAt { get; init; }
    [JsonPropertyName("updatedAt")] public DateTimeOffset UpdatedAt { get; init; }
    [JsonPropertyName("finishedAt")] public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Who created it (issue 14); only they and operators may see or act on it when sign-in is on.</summary>
    [JsonPropertyName("owner"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DeploymentOwner? Owner { get; init; }
    [JsonPropertyName("kubeconfigBearerHash")] public required string KubeconfigBearerHash { get; init; }
    [JsonPropertyName("sandbox")] public bool Sandbox { get; init; }
    [JsonPropertyName("wipe"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public WipeReport? Wipe { get; init; }
    /// <summary>
    /// Owner-labelled Hetzner objects the last apply found that tofu's state lacks and no module address matches: it
    /// could not adopt them, so they are left for a person (see the run's warn events).
    /// </summary>
    [JsonPropertyName("unadoptedResources"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int UnadoptedResources { get; init; }
    /// <summary>What the last orphan sweep that changed its finding found (see <c>OrphanSweep</c>).</summary>
    [JsonPropertyName("orphans"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public OrphanReport? Orphans { get; init; }
    /// <summary>Bumped by each retry so the workflow's own writes can tell a new run from a stale one.</summary>
    [JsonPropertyName("run")] public int Run { get; init; } = 1;
}

/// <summary>
/// Owner-labelled Hetzner objects tofu's state does not hold, as the orphan sweep last found them. A sweep that finds
/// the same set again writes nothing, so <see cref="SweptAt"/> is when this finding was first made.
/// </summary>
public sealed record OrphanReport
{
    [JsonPropertyName("count")] public int Count { get; init; }
    /// <summary>"kind/id name", sorted.</summary>
    [JsonPropertyName("objects")] public IReadOnlyList<string> Objects { get; init; } = [];
    [JsonPropertyName("sweptAt")] public DateTimeOffset SweptAt { get; init; }
    /// <summary>How many of them the sweep deleted (only for wiped or failed deployments, with
    /// CATALYST_ORPHAN_SWEEP_DELETE).</summary>
    [JsonPropertyName("deleted")] public int Deleted { get; init; }
    /// <summary>Why the last sweep of this deployment could not finish, until one does.</summary>
    [JsonPropertyName("error"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Error { get; init; }
}

/// <summary>What provisioning produced (reference B.8 Result).</summary>
public sealed record DeploymentResult
{
    [JsonPropertyName("sovereignFQDN")] public string SovereignFqdn { get; init; } = "";
    [JsonPropertyName("controlPlaneIP")] public string ControlPlaneIp { get; init; } = "";
    [JsonPropertyName("loadBalancerIP")] public string LoadBalancerIp { get; init; } = "";
    [JsonPropertyName("consoleURL")] public string ConsoleUrl { get; init; } = "";
    [JsonPropertyName("gitopsRepoURL")] public string GitopsRepoUrl { get; init; } = "";
    [JsonPropertyName("kubeconfigReceivedAt"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? KubeconfigReceivedAt { get; init; }
    [JsonPropertyName("componentStates"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? ComponentStates { get; init; }
    [JsonPropertyName("phase1FinishedAt"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? Phase1FinishedAt { get; init; }
    [JsonPropertyName("phase1Outcome"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Phase1Outcome { get; init; }
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
    public static bool InFlight(string status) =>
        status is Provisioning or "pending" or "tofu-applying" or "flux-bootstrapping";

    public static bool IsDone(string status) => status is Ready or Failed or Adopted or Wiped;
}
