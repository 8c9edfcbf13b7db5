using System.Net;
using System.Text;
using System.Text.Json;
using Catalyst.Domain.Auth;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Http.Auth;

/// <summary>The session gate and CORS in the standalone host's real pipeline (reference E.5, A.0, A.1), on a Sovereign.</summary>
[Collection(SovereignCollection.Name)]
public sealed class SessionGateHttpTests(SovereignApps apps)
{
    HttpClient Http => apps.Http;

    async Task<string> SignInAsync()
    {
        var token = new HandoverSigner(apps.ZeroKey, "https://console.openova.io").MintHandover(SovereignApps.Fqdn, "0123456789abcdef", "gate@acme.example", "gate@acme.example").Token;
        using var response = await Http.GetAsync($"/auth/handover?token={Uri.EscapeDataString(token)}");
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return AuthHttp.CookieValue(response, "catalyst_session")!;
    }

    static async Task AssertUnauthenticated(HttpResponseMessage response, bool cleared)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("unauthenticated", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Equal(cleared, AuthHttp.SetCookies(response).Any(c => c.StartsWith("catalyst_session=; Max-Age=0", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AValidSessionPassesAndABrokenOneIsRefusedAndCleared()
    {
        var cookie = await SignInAsync();
        using (var ok = await AuthHttp.GetAsync(Http, "/api/v1/deployments?limit=1", cookie)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        using (var none = await AuthHttp.GetAsync(Http, "/api/v1/deployments?limit=1")) await AssertUnauthenticated(none, cleared: false);
        var tampered = cookie[..^1] + (cookie[^1] == 'A' ? 'B' : 'A');
        using (var bad = await AuthHttp.GetAsync(Http, "/API/v1/Deployments?limit=1", tampered)) await AssertUnauthenticated(bad, cleared: true);

        // A correct MAC around an unsigned token, an expired Keycloak token, one signed by a stranger with Keycloak's kid.
        var cookies = new SessionCookies(SovereignApps.CookieSecret, null);
        var unsigned = cookies.Encode(TestJwts.None(new { sub = "x", email = "x@y.z", exp = TestJwts.Now + 600, typ = "session" }));
        var expired = cookies.Encode(apps.Keycloak.AccessToken("x", "x@y.z", TimeSpan.FromMinutes(-10)));
        using var stranger = System.Security.Cryptography.RSA.Create(2048);
        var forged = cookies.Encode(TestJwts.Rs256(stranger, new { sub = "x", email = "x@y.z", exp = TestJwts.Now + 600 }, apps.Keycloak.Kid));
        foreach (var value in new[] { unsigned, expired, forged, cookie[..cookie.LastIndexOf('.')] })
        {
            using var refused = await AuthHttp.GetAsync(Http, "/api/v1/whoami", value);
            await AssertUnauthenticated(refused, cleared: true);
        }
        using var fresh = await AuthHttp.GetAsync(Http, "/api/v1/whoami", cookies.Encode(apps.Keycloak.AccessToken("kc-user-1", "kc@acme.example", realm: "sovereign", audience: "catalyst-ui")));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal("""{"email":"kc@acme.example","sub":"kc-user-1","verified":true}""", await fresh.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RoutesWithTheirOwnCredentialsOrThatStartASignInStayOpen()
    {
        using (var health = await Http.GetAsync("/healthz")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using (var ready = await Http.GetAsync("/readyz")) Assert.NotEqual(HttpStatusCode.Unauthorized, ready.StatusCode);
        using (var postback = await AuthHttp.SendAsync(Http, HttpMethod.Put, "/api/v1/deployments/0123456789abcdef/kubeconfig", content: new StringContent("x")))
        {
            Assert.Equal(HttpStatusCode.NotFound, postback.StatusCode);
            Assert.Contains("deployment not found", await postback.Content.ReadAsStringAsync());
        }
        using (var state = await Http.GetAsync("/api/v1/tofu/state/0123456789abcdef"))
        {
            // The state backend's own Basic challenge answers, not the session gate.
            Assert.Equal(HttpStatusCode.Unauthorized, state.StatusCode);
            Assert.Contains(state.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
            Assert.DoesNotContain("unauthenticated", await state.Content.ReadAsStringAsync());
        }
        using (var link = await Http.PostAsync("/api/v1/auth/magic-link", new StringContent("""{"email":"a@b.c"}""", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, link.StatusCode); // reached the handler: no signer on a Sovereign
        using (var signOut = await AuthHttp.SendAsync(Http, HttpMethod.Delete, "/api/v1/auth/session"))
        {
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
            Assert.Contains(AuthHttp.SetCookies(signOut), c => c.StartsWith("catalyst_session=; Max-Age=0", StringComparison.Ordinal));
            Assert.Contains(AuthHttp.SetCookies(signOut), c => c.StartsWith("catalyst_refresh=; Max-Age=0", StringComparison.Ordinal));
        }
        // Not a session route, so not opened by a look-alike.
        using (var lookalike = await AuthHttp.SendAsync(Http, HttpMethod.Put, "/api/v1/deployments/0123456789abcdef/kubeconfig/x")) await AssertUnauthenticated(lookalike, cleared: false);
    }

    [Fact]
    public async Task WithoutASignerTheMintEndpointsAnswer503()
    {
        var cookie = await SignInAsync();
        using var mint = await AuthHttp.SendAsync(Http, HttpMethod.Post, "/api/v1/deployments/0123456789abcdef/mint-handover-token", cookie);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, mint.StatusCode);
        Assert.Equal("signer-not-configured", JsonDocument.Parse(await mint.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        using var key = await AuthHttp.GetAsync(Http, "/api/v1/handover/public-key", cookie);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, key.StatusCode);
    }

    static Task<HttpResponseMessage> PreflightAsync(HttpClient http, string origin) =>
        AuthHttp.SendAsync(http, HttpMethod.Options, "/api/v1/deployments", null, null,
            ("Origin", origin), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "content-type"));

    static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    /// <summary>No Access-Control-* header at all: the browser refuses, whatever the status.</summary>
    static void AssertNoCors(HttpResponseMessage response, string what) =>
        Assert.False(response.Headers.Any(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)), what);

    [Fact]
    public async Task CorsAllowsOnlyTheConfiguredOriginWithCredentials()
    {
        // The configured origin: preflight answered, the real request's answer (the gate's 401) readable, with credentials.
        using (var preflight = await PreflightAsync(Http, SovereignApps.CorsOrigin))
        {
            Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
            Assert.Equal(SovereignApps.CorsOrigin, Header(preflight, "Access-Control-Allow-Origin"));
            Assert.Equal("true", Header(preflight, "Access-Control-Allow-Credentials"));
            Assert.Equal("GET, POST, PUT, PATCH, DELETE, OPTIONS", Header(preflight, "Access-Control-Allow-Methods"));
            Assert.Equal("Accept, Content-Type, Authorization, Cookie", Header(preflight, "Access-Control-Allow-Headers"));
            Assert.Equal("300", Header(preflight, "Access-Control-Max-Age"));
            Assert.Equal("Origin", Header(preflight, "Vary"));
        }
        using (var simple = await AuthHttp.GetAsync(Http, "/api/v1/deployments", null, ("Origin", SovereignApps.CorsOrigin)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, simple.StatusCode);
            Assert.Equal(SovereignApps.CorsOrigin, Header(simple, "Access-Control-Allow-Origin"));
            Assert.Equal("true", Header(simple, "Access-Control-Allow-Credentials"));
        }

        // Any other origin, a look-alike, and the opaque origin "null": no CORS headers, on preflights and with a valid session.
        var cookie = await SignInAsync();
        foreach (var origin in new[] { "https://evil.example", "https://console.openova.io.evil.example", "http://console.openova.io", "https://console.openova.io:8443", "null" })
        {
            using var preflight = await PreflightAsync(Http, origin);
            Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
            AssertNoCors(preflight, $"preflight from {origin}");
            using var read = await AuthHttp.GetAsync(Http, "/api/v1/whoami", cookie, ("Origin", origin));
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            AssertNoCors(read, $"GET from {origin}");
            Assert.Equal("Origin", Header(read, "Vary"));
        }

        // Unset (the replica): not even the origin the first app allows.
        using (var preflight = await PreflightAsync(apps.ReplicaHttp, SovereignApps.CorsOrigin)) AssertNoCors(preflight, "preflight with CORS_ORIGIN unset");
        using (var simple = await AuthHttp.GetAsync(apps.ReplicaHttp, "/api/v1/deployments", null, ("Origin", SovereignApps.CorsOrigin))) AssertNoCors(simple, "GET with CORS_ORIGIN unset");
    }

    [Fact]
    public async Task CorsStarAllowsAnyOriginButNeverWithCredentialsNorNull()
    {
        var settings = AppProcess.TestSettings(await AzuriteServer.Shared, AppProcess.UniqueHubName("cors"));
        settings["CATALYST_AUTH_MODE"] = "session";
        settings["CATALYST_SESSION_COOKIE_SECRET"] = SovereignApps.CookieSecret;
        settings["CORS_ORIGIN"] = "*";
        await using var app = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings);
        await app.WaitHealthyAsync();
        using var http = AuthHttp.RawClient(app);

        using (var preflight = await PreflightAsync(http, "https://anyone.example"))
        {
            Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
            Assert.Equal("*", Header(preflight, "Access-Control-Allow-Origin"));
            Assert.Null(Header(preflight, "Access-Control-Allow-Credentials"));
            Assert.Equal("GET, POST, PUT, PATCH, DELETE, OPTIONS", Header(preflight, "Access-Control-Allow-Methods"));
        }
        using (var simple = await AuthHttp.GetAsync(http, "/api/v1/deployments", null, ("Origin", SovereignApps.CorsOrigin)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, simple.StatusCode);
            Assert.Equal("*", Header(simple, "Access-Control-Allow-Origin"));
            Assert.Null(Header(simple, "Access-Control-Allow-Credentials"));
        }
        using (var preflight = await PreflightAsync(http, "null")) AssertNoCors(preflight, "preflight from null under *");
        using (var simple = await AuthHttp.GetAsync(http, "/api/v1/deployments", null, ("Origin", "null"))) AssertNoCors(simple, "GET from null under *");
    }

    [Fact]
    public async Task AnOriginWithAPathStopsTheHostNamingTheSetting()
    {
        var settings = AppProcess.TestSettings(await AzuriteServer.Shared, AppProcess.UniqueHubName("cors"));
        settings["CORS_ORIGIN"] = "https://console.openova.io/sovereign";
        await using var app = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings);
        Assert.True(await app.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the app started with a CORS_ORIGIN that has a path");
        Assert.NotEqual(0, app.ExitCode);
        Assert.Contains("CORS_ORIGIN", app.Output);
    }
}
