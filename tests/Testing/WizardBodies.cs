using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Catalyst.Testing;

/// <summary>Wizard request bodies and the operator settings that make them valid.</summary>
public static class WizardBodies
{
    public const string HetznerToken = "Hz0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    public const string ObjectStorageSecret = "objstore-secret-value-123";
    public const string GhcrToken = "ghcr-operator-token-7f3a9";
    public const string HarborToken = "harbor-robot-token-91bd2";
    public const string PowerDnsKey = "powerdns-api-key-55e1c";

    public static readonly Dictionary<string, string?> OperatorSettings = new()
    {
        ["CATALYST_GHCR_PULL_TOKEN"] = GhcrToken,
        ["CATALYST_HARBOR_ROBOT_TOKEN"] = HarborToken,
        ["CATALYST_POWERDNS_API_KEY"] = PowerDnsKey,
    };

    public static JsonObject Valid(string sub) => new()
    {
        ["orgName"] = "Acme",
        ["orgEmail"] = "owner@acme.example",
        ["sovereignFQDN"] = $"{sub}.omani.works",
        ["sovereignDomainMode"] = "pool",
        ["sovereignPoolDomain"] = "omani.works",
        ["sovereignSubdomain"] = sub,
        ["hetznerToken"] = HetznerToken,
        ["hetznerProjectID"] = "4711",
        ["region"] = "fsn1",
        ["controlPlaneSize"] = "cx23",
        ["workerSize"] = "cx33",
        ["workerCount"] = 1,
        ["sshPublicKey"] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBx3Example owner@laptop",
        ["objectStorageRegion"] = "fsn1",
        ["objectStorageAccessKey"] = "AKIAEXAMPLE",
        ["objectStorageSecretKey"] = ObjectStorageSecret,
        ["objectStorageBucket"] = $"{sub}-backups",
    };

    public static Task<HttpResponseMessage> PostAsync(HttpClient http, JsonObject body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deployments") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return http.SendAsync(request);
    }
}
