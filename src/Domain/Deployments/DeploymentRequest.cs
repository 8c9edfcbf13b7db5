using System.Text.Json.Serialization;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// The wizard's request (reference B.3). Secrets arrive here once and go to the vault; the record keeps
/// <see cref="Redacted"/>. Operator secrets (GHCR, Harbor, PowerDNS, Dynadot) are never read from the wire.
/// </summary>
public sealed record DeploymentRequest
{
    [JsonPropertyName("orgName")] public string OrgName { get; init; } = "";
    [JsonPropertyName("orgEmail")] public string OrgEmail { get; init; } = "";
    [JsonPropertyName("sovereignFQDN")] public string SovereignFqdn { get; init; } = "";
    [JsonPropertyName("sovereignDomainMode")] public string SovereignDomainMode { get; init; } = "";
    [JsonPropertyName("sovereignPoolDomain")] public string SovereignPoolDomain { get; init; } = "";
    [JsonPropertyName("sovereignSubdomain")] public string SovereignSubdomain { get; init; } = "";
    [JsonPropertyName("hetznerToken")] public string HetznerToken { get; init; } = "";
    [JsonPropertyName("hetznerProjectID")] public string HetznerProjectId { get; init; } = "";
    [JsonPropertyName("region")] public string Region { get; init; } = "";
    [JsonPropertyName("controlPlaneSize")] public string ControlPlaneSize { get; init; } = "";
    [JsonPropertyName("workerSize")] public string WorkerSize { get; init; } = "";
    [JsonPropertyName("workerCount")] public int WorkerCount { get; init; }
    [JsonPropertyName("haEnabled")] public bool HaEnabled { get; init; }
    [JsonPropertyName("regions")] public IReadOnlyList<RegionSpec> Regions { get; init; } = [];
    [JsonPropertyName("sshPublicKey")] public string SshPublicKey { get; init; } = "";
    [JsonPropertyName("objectStorageRegion")] public string ObjectStorageRegion { get; init; } = "";
    [JsonPropertyName("objectStorageAccessKey")] public string ObjectStorageAccessKey { get; init; } = "";
    [JsonPropertyName("objectStorageSecretKey")] public string ObjectStorageSecretKey { get; init; } = "";
    [JsonPropertyName("objectStorageBucket")] public string ObjectStorageBucket { get; init; } = "";

    public const string RedactedValue = "<redacted>";

    /// <summary>The copy the record keeps: secrets replaced by
    /// <c>&lt;redacted&gt;</c> when set, empty stays empty (reference B.8).</summary>
    public DeploymentRequest Redacted() => this with
    {
        HetznerToken = HetznerToken.Length > 0 ? RedactedValue : "",
        ObjectStorageSecretKey = ObjectStorageSecretKey.Length > 0 ? RedactedValue : "",
    };

    /// <summary>The legacy singular fields come from <c>regions[0]</c>
    /// when regions are given (reference B.3).</summary>
    public DeploymentRequest WithRegionMirrored() => Regions.Count == 0 ? this : this with
    {
        Region = Regions[0].CloudRegion,
        ControlPlaneSize = Regions[0].ControlPlaneSize,
        WorkerSize = Regions[0].WorkerSize,
        WorkerCount = Regions[0].WorkerCount,
    };

    public bool IsPoolMode => SovereignDomainMode.Equals(DomainModes.Pool, StringComparison.OrdinalIgnoreCase);
}

public sealed record RegionSpec
{
    [JsonPropertyName("provider")] public string Provider { get; init; } = "";
    [JsonPropertyName("cloudRegion")] public string CloudRegion { get; init; } = "";
    [JsonPropertyName("controlPlaneSize")] public string ControlPlaneSize { get; init; } = "";
    [JsonPropertyName("workerSize")] public string WorkerSize { get; init; } = "";
    [JsonPropertyName("workerCount")] public int WorkerCount { get; init; }
}

public static class DomainModes
{
    public const string Pool = "pool";
    public static readonly IReadOnlyList<string> All = [Pool, "byo", "byo-api", "byo-manual"];
}

/// <summary>Secrets the operator configures; stamped onto every provision, never accepted from the wire.</summary>
public sealed record OperatorSecrets(string GhcrPullToken, string HarborRobotToken, string PowerDnsApiKey,
    string DynadotApiKey, string DynadotApiSecret)
{
    public const string GhcrPullTokenSetting = "CATALYST_GHCR_PULL_TOKEN";
    public const string HarborRobotTokenSetting = "CATALYST_HARBOR_ROBOT_TOKEN";

    /// <summary>
    /// Each optional (seed: optional=true, issue #547) except Harbor's, whose absence <see cref="DeploymentValidator"/>
    /// refuses per deployment (seed #557: every Sovereign image pull goes through harbor.openova.io).
    /// </summary>
    public static OperatorSecrets From(Func<string, string?> settings) => new(
        settings(GhcrPullTokenSetting)?.Trim() ?? "",
        settings(HarborRobotTokenSetting)?.Trim() ?? "",
        settings("CATALYST_POWERDNS_API_KEY")?.Trim() ?? "",
        settings(Dns.DynadotAccount.KeySetting)?.Trim() ?? "",
        settings(Dns.DynadotAccount.SecretSetting)?.Trim() ?? "");

    /// <summary>Every non-empty value, for redaction of logs and events.</summary>
    public IEnumerable<string> Values => new[] { GhcrPullToken, HarborRobotToken, PowerDnsApiKey, DynadotApiKey,
        DynadotApiSecret }.Where(v => v.Length > 0);
}
