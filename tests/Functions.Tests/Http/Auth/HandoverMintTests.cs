using System.Net;
using System.Text.Json;
using Catalyst.Domain.Auth;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Catalyst.Functions.Tests.Http.Auth;

/// <summary>The mint and public-key endpoints on Catalyst-Zero (reference E.1), behind a real session.</summary>
[Collection(ZeroCollection.Name)]
public sealed class HandoverMintTests(ZeroApp zero)
{
    const string Owner = "mint-owner@acme.example";
    HttpClient Http => zero.Http;

    /// <summary>A record owned by <paramref name="ownerEmail"/> (default: the organisation's <paramref name="email"/>), matched by verified email.</summary>
    public static async Task<DeploymentRecord> PutRecordAsync(ZeroApp zero, string status, string fqdn, string email = Owner, DateTimeOffset? finishedAt = null,
        string? ownerEmail = null)
    {
        var store = new DeploymentStore(new Azure.Storage.Blobs.BlobServiceClient(zero.Azurite.ConnectionString));
        var record = new DeploymentRecord
        {
            Id = Guid.NewGuid().ToString("N")[..16], Status = status, Request = new DeploymentRequest { SovereignFqdn = fqdn, OrgEmail = email },
            StartedAt = DateTimeOffset.UtcNow, KubeconfigBearerHash = new string('0', 64),
            Result = fqdn.Length == 0 ? null : new DeploymentResult { SovereignFqdn = fqdn }, FinishedAt = finishedAt,
            Owner = new DeploymentOwner("owner-" + Guid.NewGuid().ToString("N")[..8], ownerEmail ?? email),
        };
        Assert.True(await store.CreateAsync(record));
        return record;
    }

    async Task<(HttpStatusCode Status, JsonElement Body)> Mint(string cookie, string id, params (string, string)[] headers)
    {
        using var response = await AuthHttp.SendAsync(Http, HttpMethod.Post, $"/api/v1/deployments/{id}/mint-handover-token", cookie, null, headers);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task MintsForTheSessionsUserOnlyWhenTheDeploymentIsReady()
    {
        var cookie = await zero.SignInAsync(Owner);
        var userId = zero.Keycloak.RealmOf("openova").Users[Owner];

        using var keyResponse = await AuthHttp.GetAsync(Http, "/api/v1/handover/public-key", cookie);
        Assert.Equal(HttpStatusCode.OK, keyResponse.StatusCode);
        Assert.Equal("public, max-age=3600", keyResponse.Headers.CacheControl?.ToString());
        var jwk = await keyResponse.Content.ReadAsStringAsync();
        Assert.Equal(File.ReadAllText(zero.KeyPath + ".pub.jwk"), jwk);

        Assert.Equal(HttpStatusCode.NotFound, (await Mint(cookie, "0123456789abcdee")).Status);
        var provisioning = await PutRecordAsync(zero, DeploymentStatuses.Provisioning, "acme.omani.works");
        var conflict = await Mint(cookie, provisioning.Id);
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal("not-handover-ready", conflict.Body.GetProperty("error").GetString());
        Assert.Equal("deployment status is provisioning; handover token can only be minted when status is ready or adopted", conflict.Body.GetProperty("detail").GetString());
        var noFqdn = await PutRecordAsync(zero, DeploymentStatuses.Ready, "");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "missing-fqdn"), (await Mint(cookie, noFqdn.Id)) is var m ? (m.Status, m.Body.GetProperty("error").GetString()) : default);

        var ready = await PutRecordAsync(zero, DeploymentStatuses.Ready, "acme.omani.works");
        // Headers a client sends for itself are dropped by the gate: the session decides who the token names.
        var (status, body) = await Mint(cookie, ready.Id, ("X-User-Sub", "attacker"), ("X-User-Email", "attacker@evil.example"));
        Assert.Equal(HttpStatusCode.OK, status);
        var token = body.GetProperty("token").GetString()!;
        Assert.Equal("https://console.acme.omani.works/auth/handover?token=" + Uri.EscapeDataString(token), body.GetProperty("redirectURL").GetString());
        var claims = TestJwts.Payload(token);
        Assert.Equal((userId, Owner, ready.Id, "acme.omani.works"),
            (claims.GetProperty("sub").GetString(), claims.GetProperty("email").GetString(), claims.GetProperty("deployment_id").GetString(), claims.GetProperty("sovereign_fqdn").GetString()));
        // What a Sovereign does with it: the published key verifies it, with the audience that Sovereign expects.
        var checkedClaims = await HandoverToken.CheckAsync(token, new RsaSecurityKey(RsaKeys.ParsePublic(jwk)), "https://console.openova.io", "acme.omani.works", TimeProvider.System);
        Assert.Null(checkedClaims.Error);
        Assert.Equal(HandoverToken.InvalidAudience, (await HandoverToken.CheckAsync(token, new RsaSecurityKey(RsaKeys.ParsePublic(jwk)), "https://console.openova.io", "", TimeProvider.System)).Error);

        using var anonymous = await AuthHttp.SendAsync(Http, HttpMethod.Post, $"/api/v1/deployments/{ready.Id}/mint-handover-token");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
