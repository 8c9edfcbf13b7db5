using Catalyst.Domain.Auth;
using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Tests.Auth;

public class CorsPolicyTests
{
    static Dictionary<string, string> Headers(CorsPolicy policy, string? origin, bool preflight = false) =>
        policy.HeadersFor(origin, preflight).ToDictionary(h => h.Key, h => h.Value);

    static CorsPolicy Policy(string setting) => new(CorsPolicy.ParseOrigins(setting));

    [Fact]
    public void NothingIsAllowedByDefault()
    {
        var policy = new CorsPolicy(AuthSettings.From(k => k == "CATALYST_AUTH_MODE" ? "off" : null).CorsOrigins);
        foreach (var origin in new[] { "https://console.openova.io", "http://localhost:3000", "null", null })
            Assert.Equal(new Dictionary<string, string> { ["Vary"] = "Origin" }, Headers(policy, origin, preflight: true));
    }

    [Fact]
    public void AListedOriginIsEchoedWithCredentialsAndOthersGetNothing()
    {
        var policy = Policy("https://console.openova.io, http://localhost:5173");
        var preflight = Headers(policy, "https://console.openova.io", preflight: true);
        Assert.Equal("https://console.openova.io", preflight["Access-Control-Allow-Origin"]);
        Assert.Equal("true", preflight["Access-Control-Allow-Credentials"]);
        Assert.Equal("GET, POST, PUT, PATCH, DELETE, OPTIONS", preflight["Access-Control-Allow-Methods"]);
        Assert.Equal("Accept, Content-Type, Authorization, Cookie", preflight["Access-Control-Allow-Headers"]);
        Assert.Equal("300", preflight["Access-Control-Max-Age"]);
        Assert.Equal("Origin", preflight["Vary"]);
        Assert.False(Headers(policy, "https://console.openova.io").ContainsKey("Access-Control-Max-Age"));
        Assert.Equal("http://localhost:5173", Headers(policy, "http://localhost:5173")["Access-Control-Allow-Origin"]);

        // Exact on scheme, host and port: no suffix, prefix, sibling port or scheme, and nothing the client dresses up.
        foreach (var other in new[] { "https://evil.example", "http://console.openova.io", "https://console.openova.io:8443", "https://console.openova.io.evil.example",
                     "https://evil-console.openova.io", "https://sub.console.openova.io", "http://localhost:5174", "https://localhost:5173",
                     "https://console.openova.io/path", "https://user@console.openova.io", "null", "", null })
            Assert.False(Headers(policy, other, preflight: true).ContainsKey("Access-Control-Allow-Origin"), other);
    }

    [Fact]
    public void MatchingIgnoresCaseDefaultPortsAndATrailingSlashAndAnswersTheNormalForm()
    {
        var policy = Policy("HTTPS://Console.OpenOva.IO:443/");
        Assert.Equal(["https://console.openova.io"], CorsPolicy.ParseOrigins("HTTPS://Console.OpenOva.IO:443/"));
        foreach (var sent in new[] { "https://console.openova.io", "https://CONSOLE.openova.io", "https://console.openova.io:443", "https://console.openova.io/" })
            Assert.Equal("https://console.openova.io", Headers(policy, sent)["Access-Control-Allow-Origin"]);
        Assert.Equal("http://a.example", CorsPolicy.Normalise("http://a.example:80"));
        Assert.Equal("http://a.example:443", CorsPolicy.Normalise("http://a.example:443"));
        Assert.Equal("http://[::1]:8080", CorsPolicy.Normalise("http://[::1]:8080"));
    }

    [Fact]
    public void StarAllowsAnyOriginWithoutCredentialsButNeverNull()
    {
        var policy = Policy("*");
        var preflight = Headers(policy, "https://anyone.example", preflight: true);
        Assert.Equal("*", preflight["Access-Control-Allow-Origin"]);
        Assert.False(preflight.ContainsKey("Access-Control-Allow-Credentials"));
        Assert.Equal("300", preflight["Access-Control-Max-Age"]);
        Assert.False(Headers(policy, "null", preflight: true).ContainsKey("Access-Control-Allow-Origin"));
        Assert.False(Headers(policy, "file://", preflight: true).ContainsKey("Access-Control-Allow-Origin"));

        // Listed next to *, an origin keeps its credentials; the rest get * without.
        var mixed = Policy("* https://console.openova.io");
        Assert.Equal("true", Headers(mixed, "https://console.openova.io")["Access-Control-Allow-Credentials"]);
        var stranger = Headers(mixed, "https://evil.example");
        Assert.Equal("*", stranger["Access-Control-Allow-Origin"]);
        Assert.False(stranger.ContainsKey("Access-Control-Allow-Credentials"));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("https://console.openova.io, NULL")]
    [InlineData("https://console.openova.io/sovereign")]
    [InlineData("https://console.openova.io?x=1")]
    [InlineData("https://console.openova.io#top")]
    [InlineData("https://user:pw@console.openova.io")]
    [InlineData("ftp://console.openova.io")]
    [InlineData("file:///etc")]
    [InlineData("console.openova.io")]
    [InlineData("https://*.openova.io")]
    [InlineData("https:console.openova.io")]
    public void ASettingThatIsNotAListOfOriginsStopsTheHost(string setting)
    {
        var problem = Assert.Throws<SettingException>(() => AuthSettings.From(k => k switch { "CORS_ORIGIN" => setting, "CATALYST_AUTH_MODE" => "off", _ => null }));
        Assert.Equal("CORS_ORIGIN", problem.Setting);
    }

    [Fact]
    public void TheSettingIsCommaOrSpaceSeparated() =>
        Assert.Equal(["https://a.example", "http://b.example:8080", "*"],
            AuthSettings.From(k => k switch { "CORS_ORIGIN" => " https://a.example,http://b.example:8080  * https://A.example", "CATALYST_AUTH_MODE" => "off", _ => null }).CorsOrigins);

    [Fact]
    public void PreflightIsAnOptionsWithOriginAndRequestedMethod()
    {
        Assert.True(CorsPolicy.IsPreflight("OPTIONS", "https://a", "POST"));
        Assert.False(CorsPolicy.IsPreflight("OPTIONS", "https://a", null));
        Assert.False(CorsPolicy.IsPreflight("GET", "https://a", "POST"));
    }
}
