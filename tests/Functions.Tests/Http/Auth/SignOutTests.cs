using System.Net;
using System.Text.Json;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Http.Auth;

/// <summary>Sign-out revokes the session server-side: the cookie value a browser (or a thief) still holds is refused everywhere.</summary>
[Collection(ZeroCollection.Name)]
public sealed class SignOutTests(ZeroApp zero)
{
    [Fact]
    public async Task ASignedOutSessionIsRefusedHereAndOnAnotherReplica()
    {
        // A second Catalyst-Zero on the same storage, signer key, cookie secret and Keycloak: another replica.
        var settings = AppProcess.TestSettings(zero.Azurite, AppProcess.UniqueHubName("zero"));
        foreach (var (k, v) in zero.Settings) settings[k] = v;
        await using var replica = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings);
        var started = replica.WaitHealthyAsync();

        var cookie = await zero.SignInAsync($"leaver-{Guid.NewGuid():N}@acme.example");
        await started;
        using var replicaHttp = AuthHttp.RawClient(replica);
        // Both accept it first, so the replica has already seen it as not revoked; that answer must not stick.
        foreach (var http in new[] { zero.Http, replicaHttp })
        {
            using var before = await AuthHttp.GetAsync(http, "/api/v1/whoami", cookie);
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using (var signOut = await AuthHttp.SendAsync(zero.Http, HttpMethod.Delete, "/api/v1/auth/session", cookie))
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);

        foreach (var http in new[] { zero.Http, replicaHttp })
        foreach (var path in new[] { "/api/v1/whoami", "/api/v1/deployments?limit=1" })
        {
            using var after = await AuthHttp.GetAsync(http, path, cookie);
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
            Assert.Equal("unauthenticated", JsonDocument.Parse(await after.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        }

        // Signing out again (the replica, the same stale cookie) is still a plain 204.
        using var again = await AuthHttp.SendAsync(replicaHttp, HttpMethod.Delete, "/api/v1/auth/session", cookie);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
    }

    [Fact]
    public async Task ACatalystSignedSessionIsRevokedByItsJtiAndOtherSessionsStay()
    {
        async Task<string> CatalystSession(string email)
        {
            var link = await MagicLinkTests.RequestLinkAsync(zero, email);
            zero.Keycloak.Exchange = FakeKeycloak.ExchangeMode.Unsupported;
            try
            {
                using var signIn = await zero.Http.GetAsync(MagicLinkTests.LocalPath(link));
                Assert.Equal(HttpStatusCode.Found, signIn.StatusCode);
                return AuthHttp.CookieValue(signIn, "catalyst_session")!;
            }
            finally
            {
                zero.Keycloak.Exchange = FakeKeycloak.ExchangeMode.Issue;
            }
        }
        var email = $"two-tabs-{Guid.NewGuid():N}@acme.example";
        var (first, second) = (await CatalystSession(email), await CatalystSession(email));

        using (var signOut = await AuthHttp.SendAsync(zero.Http, HttpMethod.Delete, "/api/v1/auth/session", first))
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        using (var refused = await AuthHttp.GetAsync(zero.Http, "/api/v1/whoami", first))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var other = await AuthHttp.GetAsync(zero.Http, "/api/v1/whoami", second);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
