using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Catalyst.Domain.Auth;

/// <summary>
/// What makes a verified token a Catalyst session and who it names: the Keycloak checks (issuer, audience or
/// <c>azp</c>, an optional required role) and the operator rule (a role or group, or a listed verified email).
/// </summary>
public sealed class SessionRules(string? issuer, string audience, string? requiredRole, string operatorRole,
    IReadOnlyCollection<string> operatorEmails)
{
    public static SessionRules From(AuthSettings settings) =>
        new(settings.GateIssuer, settings.GateAudience, settings.GateRequiredRole, settings.OperatorRole,
            settings.OperatorEmails);

    /// <summary>A Keycloak token of the configured realm, for the
    /// configured client, with the required role if any.</summary>
    public bool AdmitsKeycloak(JsonWebToken jwt)
    {
        if (issuer is not null
            && !string.Equals(TokenChecks.Text(jwt, "iss").TrimEnd('/'), issuer, StringComparison.Ordinal))
            return false;
        if (!jwt.Audiences.Contains(audience, StringComparer.Ordinal) && TokenChecks.Text(jwt, "azp") != audience)
            return false;
        return requiredRole is null || Roles(jwt).Contains(requiredRole);
    }

    public SessionIdentity Identity(JsonWebToken jwt)
    {
        var email = TokenChecks.Text(jwt, "email");
        var verified = TokenChecks.IsTrue(jwt, "email_verified");
        return new SessionIdentity(TokenChecks.Text(jwt, "sub"), email, verified,
            TokenChecks.Text(jwt, "preferred_username") is { Length: > 0 } u ? u : null)
        {
            IsOperator = Roles(jwt).Contains(operatorRole) || (verified && IsOperatorEmail(email)),
        };
    }

    /// <summary>An identity an authenticating proxy vouched for
    /// (<c>CATALYST_TRUSTED_IDENTITY_HEADER</c>): its email is its subject.</summary>
    public SessionIdentity ProxyIdentity(string email) =>
        new(email, email, EmailVerified: true, PreferredUsername: null) { IsOperator = IsOperatorEmail(email) };

    bool IsOperatorEmail(string email) => email.Length > 0 && operatorEmails.Contains(email.ToLowerInvariant());

    /// <summary>
    /// Realm roles, every client's roles, and groups (Keycloak writes a group as its path, <c>/catalyst-operator</c>;
    /// both the path and its last segment count), and a Catalyst-signed session's own <c>role</c>.
    /// </summary>
    static HashSet<string> Roles(JsonWebToken jwt)
    {
        var roles = new HashSet<string>(StringComparer.Ordinal);
        if (TokenChecks.Text(jwt, "role") is { Length: > 0 } role) roles.Add(role);
        if (Claim(jwt, "realm_access") is { ValueKind: JsonValueKind.Object } realm) AddStrings(realm, "roles", roles);
        if (Claim(jwt, "resource_access") is { ValueKind: JsonValueKind.Object } clients)
            foreach (var client in clients.EnumerateObject())
                if (client.Value.ValueKind == JsonValueKind.Object) AddStrings(client.Value, "roles", roles);
        if (Claim(jwt, "groups") is { ValueKind: JsonValueKind.Array } groups)
            foreach (var g in groups.EnumerateArray())
                if (g.ValueKind == JsonValueKind.String && g.GetString() is { Length: > 0 } path)
                {
                    roles.Add(path);
                    roles.Add(path.TrimEnd('/').Split('/')[^1]);
                }
        return roles;
    }

    static JsonElement? Claim(JsonWebToken jwt, string name) =>
        jwt.TryGetPayloadValue<JsonElement>(name, out var value) ? value : null;

    static void AddStrings(JsonElement parent, string property, HashSet<string> into)
    {
        if (!parent.TryGetProperty(property, out var list) || list.ValueKind != JsonValueKind.Array) return;
        foreach (var item in list.EnumerateArray())
            if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } value) into.Add(value);
    }
}
