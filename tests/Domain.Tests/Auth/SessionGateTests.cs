using System.Security.Cryptography;
using Catalyst.Domain.Auth;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Auth;

/// <summary>The gate's path rules and its decisions on cookies (reference E.5, A.1), without a host.</summary>
public class SessionGateTests
{
    const string Secret = "0123456789abcdef0123456789abcdef-test-secret";
    static readonly HandoverSigner Signer = new(RSA.Create(2048), AuthSettings.DefaultIssuer);
    static readonly SessionRules Rules = new("https://kc.example/realms/openova", "catalyst-zero-ui", null, "catalyst-operator", ["ops@example.com"]);

    [Theory]
    [InlineData("GET", "/api/v1/deployments", true)]
    [InlineData("POST", "/api/v1/deployments", true)]
    [InlineData("GET", "/api/v1/deployments/0123456789abcdef", true)]
    [InlineData("GET", "/api/v1/deployments/0123456789abcdef/kubeconfig", true)]
    [InlineData("PUT", "/api/v1/deployments/0123456789abcdef/kubeconfig", false)]
    [InlineData("put", "/API/V1/Deployments/0123456789abcdef/KUBECONFIG/", false)]
    [InlineData("PUT", "/api/v1/deployments//kubeconfig", true)]
    [InlineData("PUT", "/api/v1/deployments/a/b/kubeconfig", true)]
    [InlineData("POST", "/api/v1/deployments/0123456789abcdef/mint-handover-token", true)]
    [InlineData("GET", "/api/v1/handover/public-key", true)]
    [InlineData("GET", "/api/v1/whoami", true)]
    [InlineData("GET", "/api/v1/tofu/state/0123456789abcdef", false)]
    [InlineData("POST", "/api/v1/tofu/state/0123456789abcdef", false)]
    [InlineData("POST", "/api/v1/tofu/state/0123456789abcdef/lock", false)]
    [InlineData("DELETE", "/api/v1/tofu/state/0123456789abcdef/lock", false)]
    [InlineData("GET", "/api/v1/tofu/state/0123456789abcdef/other", true)]
    [InlineData("GET", "/api/v1/tofu/state", true)]
    [InlineData("POST", "/api/v1/auth/magic-link", false)]
    [InlineData("GET", "/api/v1/auth/magic-link", true)]
    [InlineData("GET", "/api/v1/auth/magic", false)]
    [InlineData("GET", "/api/v1/auth/callback", false)]
    [InlineData("DELETE", "/api/v1/auth/session", false)]
    [InlineData("GET", "/api/v1/auth/session", true)]
    [InlineData("GET", "/api/v1/auth/other", true)]
    [InlineData("GET", "/api/v1", true)]
    [InlineData("GET", "/healthz", false)]
    [InlineData("GET", "/readyz", false)]
    [InlineData("GET", "/auth/handover", false)]
    [InlineData("GET", "/", false)]
    [InlineData("GET", "/apiv1/deployments", false)]
    public void PathRules(string method, string path, bool gated) => Assert.Equal(gated, GatePaths.IsGated(method, path));

    static SessionGate Gate(bool enabled = true, string? secret = Secret, HandoverSigner? signer = null, TimeProvider? time = null)
    {
        var cookies = new SessionCookies(secret, null);
        var tokens = new SessionTokens(signer ?? Signer, secret, AuthSettings.DefaultIssuer, time ?? TimeProvider.System);
        return new SessionGate(new SessionVerifier(cookies, tokens, null, Rules, time ?? TimeProvider.System), Rules, enabled);
    }

    static string SessionCookie(HandoverSigner? signer = null, string? secret = Secret) =>
        new SessionCookies(secret, null).Encode(new SessionTokens(signer ?? Signer, secret, AuthSettings.DefaultIssuer, TimeProvider.System)
            .Issue("user-1", "owner@example.com", "openova-user"));

    static Task<GateDecision> Decide(SessionGate gate, string? cookie, string method = "GET", string path = "/api/v1/deployments") =>
        gate.DecideAsync(method, path, cookie, null, CancellationToken.None);

    [Fact]
    public async Task AValidSessionPassesWithItsIdentity()
    {
        var decision = await Decide(Gate(), SessionCookie());
        Assert.True(decision.Allowed);
        Assert.Equal(new SessionIdentity("user-1", "owner@example.com", true, null), decision.Identity);
    }

    [Fact]
    public async Task NoCookieIs401WithoutClearing()
    {
        var decision = await Decide(Gate(), null);
        Assert.Equal((false, 401, "unauthenticated", false), (decision.Allowed, decision.Status, decision.Error, decision.ClearCookie));
    }

    public static TheoryData<string, Func<string, string>> Tampered => new()
    {
        { "flipped MAC", c => c[..^2] + (c[^2] == 'A' ? "B" : "A") + c[^1] },
        { "no MAC", c => c[..c.LastIndexOf('.')] },
        { "changed payload", c => { var p = c.Split('.'); p[1] = p[1][..^2] + (p[1][^2] == 'A' ? "B" : "A") + p[1][^1]; return string.Join('.', p); } },
        { "garbage", _ => "not-a-cookie" },
    };

    [Theory]
    [MemberData(nameof(Tampered))]
    public async Task ATamperedCookieIsRefusedAndCleared(string what, Func<string, string> tamper)
    {
        var decision = await Decide(Gate(), tamper(SessionCookie()));
        Assert.False(decision.Allowed, what);
        Assert.Equal((401, "unauthenticated", true), (decision.Status, decision.Error, decision.ClearCookie));
    }

    [Fact]
    public async Task TokensThatAreNotCatalystSessionsAreRefused()
    {
        var gate = Gate();
        var cookies = new SessionCookies(Secret, null);
        var claims = new Dictionary<string, object> { ["sub"] = "u", ["email"] = "e@x.io", ["exp"] = TestJwts.Now + 600, ["typ"] = "session" };
        // Unsigned, even inside a valid HMAC (the MAC is not the only check).
        Assert.False((await Decide(gate, cookies.Encode(TestJwts.None(claims)))).Allowed);
        // A handover token signed by the same key is not a session (no typ).
        Assert.False((await Decide(gate, cookies.Encode(Signer.MintHandover("a.b", "0123456789abcdef", "u", "e@x.io").Token))).Allowed);
        // Signed by some other key.
        using var other = RSA.Create(2048);
        Assert.False((await Decide(gate, cookies.Encode(TestJwts.Rs256(other, claims)))).Allowed);
        // HS256 keyed with the RSA public key.
        Assert.False((await Decide(gate, cookies.Encode(TestJwts.Hs256(System.Text.Encoding.UTF8.GetBytes(Signer.PublicJwk), claims)))).Allowed);
        // Expired, and a bare JWT when the cookie secret requires the HMAC form.
        Assert.False((await Decide(gate, cookies.Encode(Signer.Sign(new Dictionary<string, object>(claims) { ["exp"] = TestJwts.Now - 600 })))).Allowed);
        Assert.False((await Decide(gate, Signer.Sign(claims))).Allowed);
        Assert.True((await Decide(gate, cookies.Encode(Signer.Sign(claims)))).Allowed);
    }

    [Fact]
    public async Task WithoutASignerSessionsAreSignedWithTheKeyDerivedFromTheSecret()
    {
        var tokens = new SessionTokens(null, Secret, AuthSettings.DefaultIssuer, TimeProvider.System);
        var session = tokens.Issue("u", "e@x.io", "sovereign-admin");
        Assert.Equal("HS256", TestJwts.Header(session).GetProperty("alg").GetString());
        var gate = new SessionGate(new SessionVerifier(new SessionCookies(Secret, null), tokens, null, Rules, TimeProvider.System), Rules, enabled: true);
        Assert.True((await Decide(gate, new SessionCookies(Secret, null).Encode(session))).Allowed);
        // The derived key is not the secret itself.
        var forged = TestJwts.Hs256(System.Text.Encoding.UTF8.GetBytes(Secret), new { sub = "u", exp = TestJwts.Now + 60, typ = "session" });
        Assert.False((await Decide(gate, new SessionCookies(Secret, null).Encode(forged))).Allowed);
        Assert.False(new SessionTokens(null, null, AuthSettings.DefaultIssuer, TimeProvider.System).CanIssue);
    }

    [Fact]
    public async Task WithoutACookieSecretABareJwtIsTheCookie()
    {
        var gate = Gate(secret: null);
        Assert.True((await Decide(gate, SessionCookie(secret: null))).Allowed);
        Assert.False((await Decide(gate, SessionCookie(secret: null) + ".extra")).Allowed);
    }

    [Fact]
    public async Task OffPreflightAndPublicRoutesPassWithoutASession()
    {
        Assert.True((await Decide(Gate(enabled: false), null)).Allowed);
        Assert.True((await Decide(Gate(), null, "OPTIONS")).Allowed);
        Assert.True((await Decide(Gate(), null, "PUT", "/api/v1/deployments/0123456789abcdef/kubeconfig")).Allowed);
        Assert.True((await Decide(Gate(), "garbage", "GET", "/healthz")).Allowed);
    }
}
