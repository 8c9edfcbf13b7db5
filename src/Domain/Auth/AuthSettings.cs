using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Auth;

/// <summary>
/// Every sign-in setting, read once (reference E.1–E.5, H). Names and defaults are the original's. Note the overlap the
/// original has (E.5): <c>CATALYST_KC_ADDR</c>/<c>CATALYST_KC_REALM</c> feed both the session gate (realm default
/// <c>openova</c>, and the gate is off when the address is unset) and the Sovereign-side handover client (realm default
/// <c>sovereign</c>, address default the in-cluster Keycloak).
/// </summary>
public sealed record AuthSettings
{
    public const string DefaultIssuer = "https://console.openova.io";

    public string? HandoverKeyPath { get; init; }
    public string? HandoverPublicJwkPath { get; init; }
    public string Issuer { get; init; } = DefaultIssuer;
    public string HandoverVerifyKeyPath { get; init; } = "/etc/catalyst/handover-jwt-public/public.jwk";
    public string SovereignFqdn { get; init; } = "";
    /// <summary>The Sovereign's own Keycloak, for /auth/handover.</summary>
    public required KeycloakSettings SovereignKeycloak { get; init; }
    /// <summary>The openova realm, for magic-link sign-in on Catalyst-Zero.</summary>
    public required KeycloakSettings OpenovaKeycloak { get; init; }
    public string OpenovaAudience { get; init; } = "catalyst-zero-ui";
    /// <summary>Null when <c>CATALYST_KC_ADDR</c> is unset: the gate then lets everything through, as the original.</summary>
    public Uri? GateJwksUrl { get; init; }
    public string? SessionCookieSecret { get; init; }
    public string? SessionCookieDomain { get; init; }
    public string PostAuthRedirect { get; init; } = "/wizard";
    public string ApiPublicUrl { get; init; } = "https://console.openova.io/sovereign";
    public required SmtpSettings Smtp { get; init; }
    public IReadOnlyList<string> CorsOrigins { get; init; } = ["*"];

    public static AuthSettings From(Func<string, string?> read)
    {
        var keyPath = Settings.Text(read, "CATALYST_HANDOVER_KEY_PATH");
        var kcAddr = Settings.Text(read, "CATALYST_KC_ADDR");
        var kcRealm = Settings.Text(read, "CATALYST_KC_REALM");
        var secret = Settings.Text(read, "CATALYST_SESSION_COOKIE_SECRET");
        // The original documents 32 random bytes; anything much shorter is guessable and makes every session forgeable.
        if (secret is { Length: < 32 })
            throw new SettingException("CATALYST_SESSION_COOKIE_SECRET", $"is {secret.Length} characters; use at least 32 (e.g. openssl rand -base64 32)");
        return new AuthSettings
        {
            HandoverKeyPath = keyPath,
            HandoverPublicJwkPath = keyPath is null ? null : Settings.Text(read, "CATALYST_HANDOVER_PUBKEY_PATH", keyPath + ".pub.jwk"),
            Issuer = Settings.Text(read, "CATALYST_HANDOVER_JWT_ISSUER", DefaultIssuer),
            HandoverVerifyKeyPath = Settings.Text(read, "CATALYST_HANDOVER_JWT_PUBLIC_KEY_PATH", "/etc/catalyst/handover-jwt-public/public.jwk"),
            SovereignFqdn = Settings.Text(read, "SOVEREIGN_FQDN", ""),
            SovereignKeycloak = new KeycloakSettings(
                Url("CATALYST_KC_ADDR", kcAddr ?? "http://keycloak.keycloak.svc.cluster.local:8080"),
                kcRealm ?? "sovereign",
                Settings.Text(read, "CATALYST_KC_SA_CLIENT_ID", "catalyst-api-server"),
                Settings.Text(read, "CATALYST_KC_SA_CLIENT_SECRET")),
            OpenovaKeycloak = new KeycloakSettings(
                Url("CATALYST_OPENOVA_KC_ADDR", Settings.Text(read, "CATALYST_OPENOVA_KC_ADDR") ?? kcAddr ?? "http://keycloak-zero.keycloak-zero.svc.cluster.local"),
                Settings.Text(read, "CATALYST_OPENOVA_KC_REALM", "openova"),
                Settings.Text(read, "CATALYST_OPENOVA_KC_SA_CLIENT_ID", "catalyst-zero-server"),
                Settings.Text(read, "CATALYST_OPENOVA_KC_SA_CLIENT_SECRET")),
            OpenovaAudience = Settings.Text(read, "CATALYST_OPENOVA_KC_AUDIENCE", "catalyst-zero-ui"),
            GateJwksUrl = kcAddr is null ? null
                : new Uri($"{Url("CATALYST_KC_ADDR", kcAddr).AbsoluteUri.TrimEnd('/')}/realms/{Uri.EscapeDataString(kcRealm ?? "openova")}/protocol/openid-connect/certs"),
            SessionCookieSecret = secret,
            SessionCookieDomain = Settings.Text(read, "CATALYST_SESSION_COOKIE_DOMAIN"),
            PostAuthRedirect = Settings.Text(read, "CATALYST_POST_AUTH_REDIRECT", "/wizard"),
            ApiPublicUrl = Settings.Text(read, "CATALYST_API_PUBLIC_URL", "https://console.openova.io/sovereign").TrimEnd('/'),
            Smtp = new SmtpSettings(
                Settings.Text(read, "CATALYST_SMTP_HOST", "stalwart-web.stalwart.svc.cluster.local"),
                Settings.Int(read, "CATALYST_SMTP_PORT", 587, 1, 65535),
                Settings.Text(read, "CATALYST_SMTP_USER"),
                Settings.Text(read, "CATALYST_SMTP_PASS"),
                Settings.Text(read, "CATALYST_SMTP_FROM", "noreply@openova.io")),
            CorsOrigins = Settings.Text(read, "CORS_ORIGIN", "*").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
    }

    // The session secret stays out of logs and exception messages even when the whole settings object is printed.
    public override string ToString() =>
        $"AuthSettings {{ Signer = {HandoverKeyPath ?? "off"}, Issuer = {Issuer}, SovereignFqdn = {SovereignFqdn}, Gate = {GateJwksUrl?.ToString() ?? "off"}, SessionCookieSecret = {(SessionCookieSecret is null ? "unset" : "set")} }}";

    static Uri Url(string setting, string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new SettingException(setting, $"'{text}' is not an http(s) URL");
}

/// <summary>A Keycloak realm reached with a service account (reference E.3). No secret means "not configured".</summary>
public sealed record KeycloakSettings(Uri Address, string Realm, string ClientId, string? ClientSecret)
{
    public bool Configured => ClientSecret is not null;

    // The secret never appears when a settings object is logged or put in an exception message.
    public override string ToString() => $"KeycloakSettings {{ Address = {Address}, Realm = {Realm}, ClientId = {ClientId}, ClientSecret = {(ClientSecret is null ? "unset" : "set")} }}";
}

/// <summary>Where magic-link email goes. Authentication happens only when both user and password are set.</summary>
public sealed record SmtpSettings(string Host, int Port, string? User, string? Password, string From)
{
    public override string ToString() => $"SmtpSettings {{ Host = {Host}, Port = {Port}, User = {User}, Password = {(Password is null ? "unset" : "set")}, From = {From} }}";
}
