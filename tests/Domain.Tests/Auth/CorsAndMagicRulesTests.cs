using Catalyst.Domain.Auth;

namespace Catalyst.Domain.Tests.Auth;

public class CorsAndMagicRulesTests
{
    static Dictionary<string, string> Headers(CorsPolicy policy, string? origin, bool preflight) => policy.HeadersFor(origin, preflight).ToDictionary(h => h.Key, h => h.Value);

    [Fact]
    public void StarEchoesTheOriginBecauseCredentialsAreAllowed()
    {
        var headers = Headers(new CorsPolicy(["*"]), "https://console.openova.io", preflight: true);
        Assert.Equal("https://console.openova.io", headers["Access-Control-Allow-Origin"]);
        Assert.Equal("true", headers["Access-Control-Allow-Credentials"]);
        Assert.Equal("GET, POST, PUT, PATCH, DELETE, OPTIONS", headers["Access-Control-Allow-Methods"]);
        Assert.Equal("Accept, Content-Type, Authorization, Cookie", headers["Access-Control-Allow-Headers"]);
        Assert.Equal("300", headers["Access-Control-Max-Age"]);
        Assert.Equal("Origin", headers["Vary"]);
        Assert.False(Headers(new CorsPolicy(["*"]), "https://x", preflight: false).ContainsKey("Access-Control-Max-Age"));
    }

    [Fact]
    public void AListedOriginIsAllowedAndOthersGetNothing()
    {
        var policy = new CorsPolicy(["https://console.openova.io"]);
        Assert.Equal("https://console.openova.io", Headers(policy, "https://console.openova.io", false)["Access-Control-Allow-Origin"]);
        Assert.False(Headers(policy, "https://evil.example", false).ContainsKey("Access-Control-Allow-Origin"));
        Assert.False(Headers(policy, null, false).ContainsKey("Access-Control-Allow-Origin"));
        Assert.True(CorsPolicy.IsPreflight("OPTIONS", "https://a", "POST"));
        Assert.False(CorsPolicy.IsPreflight("OPTIONS", "https://a", null));
        Assert.False(CorsPolicy.IsPreflight("GET", "https://a", "POST"));
    }

    [Theory]
    [InlineData("/sovereign/wizard", "token_replayed", "/sovereign/login?error=token_replayed")]
    [InlineData("/wizard", "missing_token", "/login?error=missing_token")]
    [InlineData("https://console.openova.io/sovereign/wizard", "invalid_token", "https://console.openova.io/sovereign/login?error=invalid_token")]
    public void LoginRedirectIsThePostAuthFolderPlusLogin(string postAuth, string reason, string expected) =>
        Assert.Equal(expected, MagicLinks.LoginRedirect(postAuth, reason));

    [Theory]
    [InlineData("owner@example.com", true)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData(null, false)]
    [InlineData("no-at-sign", false)]
    [InlineData("Owner <owner@example.com>", false)]
    [InlineData("owner@example.com\r\nBcc: x@y.z", false)]
    [InlineData("a b@example.com", false)]
    public void EmailAddressRule(string? email, bool valid) => Assert.Equal(valid, EmailAddress.IsValid(email));
}
