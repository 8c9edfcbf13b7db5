using System.Net;
using System.Text.Json;
using Catalyst.Domain.Auth;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Http.Auth;

/// <summary>
/// <c>GET /auth/handover</c> on a Sovereign through the real app (reference E.2 and the original's auth_handover tests):
/// every refusal with the original's message, a valid token to a session the gate accepts, replay refused on this
/// instance and on a second one sharing the storage, and Keycloak's failure answers.
/// </summary>
[Collection(SovereignCollection.Name)]
public sealed class HandoverLoginTests(SovereignApps apps)
{
    const string Email = "owner@acme.example";

    static Dictionary<string, object> Claims(Action<Dictionary<string, object>>? change = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["iss"] = "https://console.openova.io", ["sub"] = Email, ["aud"] = new[] { "https://console." + SovereignApps.Fqdn },
            ["iat"] = TestJwts.Now, ["exp"] = TestJwts.Now + 300, ["jti"] = Guid.NewGuid().ToString(), ["email"] = Email, ["email_verified"] = true,
            ["sovereign_fqdn"] = SovereignApps.Fqdn, ["deployment_id"] = "0123456789abcdef", ["role"] = "sovereign-admin",
        };
        change?.Invoke(claims);
        return claims;
    }

    string Mint() => new HandoverSigner(apps.ZeroKey, "https://console.openova.io").MintHandover(SovereignApps.Fqdn, "0123456789abcdef", Email, Email).Token;

    static async Task<(HttpStatusCode Status, string? Error)> Handover(HttpClient http, string? token)
    {
        using var response = await http.GetAsync(token is null ? "/auth/handover" : $"/auth/handover?token={Uri.EscapeDataString(token)}");
        if (response.StatusCode == HttpStatusCode.Found) return (response.StatusCode, null);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.GetProperty("error").GetString());
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "missing", "missing token parameter" },
        { "malformed", "invalid token" },
        { "alg none", "invalid token" },
        { "HS256 keyed with the public key", "invalid token" },
        { "wrong key", "invalid token" },
        { "expired", "invalid token" },
        { "no exp", "invalid token" },
        { "nbf in the future", "invalid token" },
        { "iat in the future", "invalid token" },
        { "wrong issuer", "invalid issuer" },
        { "wrong audience", "invalid audience" },
        { "audience of another sovereign", "invalid audience" },
        { "wrong role", "insufficient role" },
        { "email unverified", "email not verified" },
        { "no email", "missing email claim" },
        { "no jti", "missing jti" },
    };

    string? TokenFor(string kind)
    {
        using var other = System.Security.Cryptography.RSA.Create(2048);
        return kind switch
        {
            "missing" => null,
            "malformed" => "not.a.jwt",
            "alg none" => TestJwts.None(Claims()),
            "HS256 keyed with the public key" => TestJwts.Hs256(File.ReadAllBytes(apps.PublicKeyPath), Claims()),
            "wrong key" => TestJwts.Rs256(other, Claims()),
            "expired" => TestJwts.Rs256(apps.ZeroKey, Claims(c => { c["iat"] = TestJwts.Now - 1200; c["exp"] = TestJwts.Now - 600; })),
            "no exp" => TestJwts.Rs256(apps.ZeroKey, Claims(c => c.Remove("exp"))),
            "nbf in the future" => TestJwts.Rs256(apps.ZeroKey, Claims(c => c["nbf"] = TestJwts.Now + 600)),
            "iat in the future" => TestJwts.Rs256(apps.ZeroKey, Claims(c => { c["iat"] = TestJwts.Now + 600; c["exp"] = TestJwts.Now + 900; })),
            "wrong issuer" => TestJwts.Rs256(apps.ZeroKey, Claims(c => c["iss"] = "https://console.evil.example")),
            "wrong audience" => TestJwts.Rs256(apps.ZeroKey, Claims(c => c["aud"] = new[] { "https://console." })),
            "audience of another sovereign" => TestJwts.Rs256(apps.ZeroKey, Claims(c => c["aud"] = "https://console.other.omani.works")),
            "wrong role" => TestJwts.Rs256(apps.ZeroKey, Claims(c => c["role"] = "viewer")),
            "email unverified" => TestJwts.Rs256(apps.ZeroKey, Claims(c => c["email_verified"] = false)),
            "no email" => TestJwts.Rs256(apps.ZeroKey, Claims(c => c.Remove("email"))),
            "no jti" => TestJwts.Rs256(apps.ZeroKey, Claims(c => c.Remove("jti"))),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task RefusedWithTheOriginalsMessage(string kind, string message)
    {
        var before = apps.Keycloak.Calls.Count;
        Assert.Equal((HttpStatusCode.Unauthorized, message), await Handover(apps.Http, TokenFor(kind)));
        Assert.Equal(before, apps.Keycloak.Calls.Count); // refused before anyone asked Keycloak
    }

    [Fact]
    public async Task AValidTokenBecomesAKeycloakSessionTheGateAccepts()
    {
        using var response = await apps.Http.GetAsync($"/auth/handover?token={Uri.EscapeDataString(Mint())}");
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/console/dashboard", response.Headers.Location?.OriginalString);
        var session = AuthHttp.SetCookies(response).Single(c => c.StartsWith("catalyst_session=", StringComparison.Ordinal));
        // Secure over plain http: the test apps run outside Development (SessionCookiesTests covers Development).
        Assert.Matches("; Max-Age=300; Path=/; HttpOnly; Secure; SameSite=Strict$", session);
        Assert.Matches("^catalyst_refresh=refresh-[0-9a-f]+; Max-Age=2400; Path=/; HttpOnly; Secure; SameSite=Strict$", AuthHttp.SetCookies(response).Single(c => c.StartsWith("catalyst_refresh=", StringComparison.Ordinal)));

        // The owner now exists in the Sovereign's realm, verified, in sovereign-admins; the session is Keycloak's token for them.
        var realm = apps.Keycloak.RealmOf("sovereign");
        var userId = realm.Users[Email];
        Assert.True(realm.Created[userId]["emailVerified"]!.GetValue<bool>());
        Assert.Equal(["UPDATE_PASSWORD", "CONFIGURE_PASSKEY"], realm.Created[userId]["requiredActions"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.True(realm.Members[userId].ContainsKey(realm.Groups["sovereign-admins"]));
        var cookie = AuthHttp.CookieValue(response, "catalyst_session")!;
        var inner = cookie[..cookie.LastIndexOf('.')];
        Assert.Equal(userId, TestJwts.Payload(inner).GetProperty("sub").GetString());

        using var whoami = await AuthHttp.GetAsync(apps.Http, "/api/v1/whoami", cookie);
        Assert.Equal(HttpStatusCode.OK, whoami.StatusCode);
        Assert.Equal(Email, JsonDocument.Parse(await whoami.Content.ReadAsStringAsync()).RootElement.GetProperty("email").GetString());
        using var list = await AuthHttp.GetAsync(apps.Http, "/api/v1/deployments?limit=1", cookie);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);

        // A second sign-in finds the user and group instead of creating them again.
        int Creates() => apps.Keycloak.Calls.Count(c => c is "POST /admin/realms/sovereign/users" or "POST /admin/realms/sovereign/groups");
        var creates = Creates();
        using var again = await apps.Http.GetAsync($"/auth/handover?token={Uri.EscapeDataString(Mint())}");
        Assert.Equal(HttpStatusCode.Found, again.StatusCode);
        Assert.Equal(creates, Creates());
        Assert.Equal(userId, realm.Users[Email]);
    }

    [Fact]
    public async Task BehindHttpsTheCookiesAreSecure()
    {
        using var response = await AuthHttp.GetAsync(apps.Http, $"/auth/handover?token={Uri.EscapeDataString(Mint())}", null, ("X-Forwarded-Proto", "https"));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.All(AuthHttp.SetCookies(response), c => Assert.Contains("; Secure", c));
    }

    [Fact]
    public async Task AReplayIsRefusedHereAndOnAnotherInstance()
    {
        var token = Mint();
        Assert.Equal(HttpStatusCode.Found, (await Handover(apps.Http, token)).Status);
        Assert.Equal((HttpStatusCode.Unauthorized, "token already used"), await Handover(apps.Http, token));
        Assert.Equal((HttpStatusCode.Unauthorized, "token already used"), await Handover(apps.ReplicaHttp, token));
        // The other instance has no Keycloak secret: a fresh token gets past the one-time check and stops there.
        Assert.Equal((HttpStatusCode.Unauthorized, "server misconfiguration: keycloak not configured"), await Handover(apps.ReplicaHttp, Mint()));
    }

    [Fact]
    public async Task KeycloakFailures()
    {
        try
        {
            apps.Keycloak.FailUserCreate = true;
            var stranger = TestJwts.Rs256(apps.ZeroKey, Claims(c => { c["email"] = "new-owner@acme.example"; }));
            Assert.Equal((HttpStatusCode.Unauthorized, "keycloak error: ensure user"), await Handover(apps.Http, stranger));
            apps.Keycloak.FailUserCreate = false;

            foreach (var mode in new[] { FakeKeycloak.ExchangeMode.Forbidden, FakeKeycloak.ExchangeMode.ServerError })
            {
                apps.Keycloak.Exchange = mode;
                Assert.Equal((HttpStatusCode.Unauthorized, "keycloak error: token exchange"), await Handover(apps.Http, Mint()));
            }
        }
        finally
        {
            apps.Keycloak.FailUserCreate = false;
            apps.Keycloak.Exchange = FakeKeycloak.ExchangeMode.Issue;
        }
    }

    [Fact]
    public async Task WhenKeycloakRefusesTheExchangeFormTheSovereignSignsTheSessionItself()
    {
        HttpResponseMessage response;
        try
        {
            apps.Keycloak.Exchange = FakeKeycloak.ExchangeMode.Unsupported;
            response = await apps.Http.GetAsync($"/auth/handover?token={Uri.EscapeDataString(Mint())}");
        }
        finally
        {
            apps.Keycloak.Exchange = FakeKeycloak.ExchangeMode.Issue;
        }
        using var _ = response;
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/console/dashboard", response.Headers.Location?.OriginalString);
        Assert.StartsWith("catalyst_refresh=; Max-Age=0", AuthHttp.SetCookies(response).Single(c => c.StartsWith("catalyst_refresh=", StringComparison.Ordinal)));
        var cookie = AuthHttp.CookieValue(response, "catalyst_session")!;
        Assert.Contains("Max-Age=28800", AuthHttp.SetCookies(response)[0]);
        var inner = cookie[..cookie.LastIndexOf('.')];
        Assert.Equal("HS256", TestJwts.Header(inner).GetProperty("alg").GetString()); // no signer here: the cookie secret's derived key
        var claims = TestJwts.Payload(inner);
        Assert.Equal(("session", Email, "sovereign-admin", SovereignApps.Fqdn, "0123456789abcdef"),
            (claims.GetProperty("typ").GetString(), claims.GetProperty("sub").GetString(), claims.GetProperty("role").GetString(),
                claims.GetProperty("sovereign_fqdn").GetString(), claims.GetProperty("deployment_id").GetString()));
        Assert.Equal(apps.Keycloak.RealmOf("sovereign").Users[Email], claims.GetProperty("keycloak_uid").GetString());
        Assert.Equal(8 * 3600, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());

        using var whoami = await AuthHttp.GetAsync(apps.Http, "/api/v1/whoami", cookie);
        Assert.Equal(HttpStatusCode.OK, whoami.StatusCode);
    }
}
