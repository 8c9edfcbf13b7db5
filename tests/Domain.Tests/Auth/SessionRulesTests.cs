using System.Security.Cryptography;
using Catalyst.Domain.Auth;
using Catalyst.Domain.Configuration;
using Catalyst.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Catalyst.Domain.Tests.Auth;

/// <summary>What makes a Keycloak token a Catalyst session, who is an operator, and the auth mode setting (issue 14).</summary>
public class SessionRulesTests
{
    static readonly RSA Key = RSA.Create(2048);
    static readonly SessionRules Rules = new("https://auth.example/realms/openova", "catalyst-zero-ui", null, "catalyst-operator", ["ops@catalyst.example"]);

    static JsonWebToken Token(Dictionary<string, object> extra)
    {
        var claims = new Dictionary<string, object>
        {
            ["iss"] = "https://auth.example/realms/openova", ["aud"] = "catalyst-zero-ui", ["sub"] = "u-1", ["email"] = "u@x.example",
            ["email_verified"] = true, ["exp"] = TestJwts.Now + 300,
        };
        foreach (var (k, v) in extra) claims[k] = v;
        return new JsonWebToken(TestJwts.Rs256(Key, claims));
    }

    [Fact]
    public void AKeycloakTokenMustBeForThisClientFromThisIssuer()
    {
        Assert.True(Rules.AdmitsKeycloak(Token([])));
        Assert.True(Rules.AdmitsKeycloak(Token(new() { ["aud"] = new[] { "account", "catalyst-zero-ui" } })));
        Assert.True(Rules.AdmitsKeycloak(Token(new() { ["aud"] = "account", ["azp"] = "catalyst-zero-ui" })));
        Assert.False(Rules.AdmitsKeycloak(Token(new() { ["aud"] = "account", ["azp"] = "some-other-client" })));
        Assert.False(Rules.AdmitsKeycloak(Token(new() { ["iss"] = "https://auth.example/realms/other" })));
        Assert.True(Rules.AdmitsKeycloak(Token(new() { ["iss"] = "https://auth.example/realms/openova/" })));
        // No issuer configured: the realm's JWKS is what pins the realm.
        Assert.True(new SessionRules(null, "catalyst-zero-ui", null, "op", []).AdmitsKeycloak(Token(new() { ["iss"] = "http://keycloak.svc/realms/openova" })));
    }

    [Fact]
    public void ARequiredRoleComesFromRealmRolesClientRolesOrGroups()
    {
        var rules = new SessionRules(null, "catalyst-zero-ui", "catalyst-user", "catalyst-operator", []);
        Assert.False(rules.AdmitsKeycloak(Token([])));
        Assert.True(rules.AdmitsKeycloak(Token(new() { ["realm_access"] = new { roles = new[] { "catalyst-user" } } })));
        Assert.True(rules.AdmitsKeycloak(Token(new() { ["resource_access"] = new Dictionary<string, object> { ["catalyst-zero-ui"] = new { roles = new[] { "catalyst-user" } } } })));
        Assert.True(rules.AdmitsKeycloak(Token(new() { ["groups"] = new[] { "/teams/catalyst-user" } })));
        Assert.False(rules.AdmitsKeycloak(Token(new() { ["groups"] = new[] { "/catalyst-user-not" }, ["realm_access"] = new { roles = "catalyst-user" } })));
    }

    [Fact]
    public void OperatorsByRoleGroupOrAVerifiedListedEmail()
    {
        Assert.False(Rules.Identity(Token([])).IsOperator);
        Assert.True(Rules.Identity(Token(new() { ["realm_access"] = new { roles = new[] { "catalyst-operator" } } })).IsOperator);
        Assert.True(Rules.Identity(Token(new() { ["groups"] = new[] { "/catalyst-operator" } })).IsOperator);
        Assert.True(Rules.Identity(Token(new() { ["email"] = "OPS@catalyst.example" })).IsOperator);
        Assert.False(Rules.Identity(Token(new() { ["email"] = "ops@catalyst.example", ["email_verified"] = false })).IsOperator);
        Assert.True(Rules.ProxyIdentity("ops@catalyst.example").IsOperator);
        Assert.Equal(("carol@x.example", "carol@x.example", false), Rules.ProxyIdentity("carol@x.example") is var p ? (p.Subject, p.Email, p.IsOperator) : default);
    }

    [Fact]
    public void SessionIsTheDefaultAndNeedsAnIdentitySourceOffMustBeSaid()
    {
        var none = Assert.Throws<SettingException>(() => AuthSettings.From(_ => null));
        Assert.Contains("CATALYST_AUTH_MODE", none.Message);
        Assert.Contains("CATALYST_KC_ADDR", none.Message);
        Assert.Equal(AuthMode.Session, AuthSettings.From(k => k == "CATALYST_SESSION_COOKIE_SECRET" ? new string('s', 32) : null).Mode);
        Assert.Equal(AuthMode.Session, AuthSettings.From(k => k == "CATALYST_TRUSTED_IDENTITY_HEADER" ? "X-Auth-Request-Email" : null).Mode);
        Assert.Equal(AuthMode.Off, AuthSettings.From(k => k == "CATALYST_AUTH_MODE" ? "OFF" : null).Mode);
        Assert.Contains("session (the default) or off", Assert.Throws<SettingException>(() => AuthSettings.From(k => k == "CATALYST_AUTH_MODE" ? "none" : null)).Message);
        Assert.Throws<SettingException>(() => AuthSettings.From(k => k switch { "CATALYST_AUTH_MODE" => "off", "CATALYST_TRUSTED_IDENTITY_HEADER" => "X Bad:", _ => null }));
        // On a Sovereign the session is the one the handover exchanged, for the Sovereign's console.
        Assert.Equal("catalyst-ui", AuthSettings.From(k => k switch { "CATALYST_AUTH_MODE" => "off", "SOVEREIGN_FQDN" => "a.b", _ => null }).GateAudience);
    }
}
