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
    public const string ModeSetting = "CATALYST_AUTH_MODE";

    /// <summary>
    /// The Sovereign's public FQDN: the handover audience is <c>https://console.</c> + it. Unset on a Sovereign, every
    /// valid token was refused with 401 "invalid audience" (seed, otech48; the ConfigMap race behind it, otech62).
    /// </summary>
    public const string SovereignFqdnSetting = "SOVEREIGN_FQDN";
    public const string DefaultOperatorRole = "catalyst-operator";

    /// <summary>
    /// <see cref="AuthMode.Session"/> unless <c>CATALYST_AUTH_MODE=off</c> says otherwise: the API fails closed (issue
    /// 14; the original left the gate off whenever <c>CATALYST_KC_ADDR</c> was unset, which made every tenant's
    /// kubeconfig, wipe and handover public).
    /// </summary>
    public AuthMode Mode { get; init; } = AuthMode.Session;
    /// <summary>The Keycloak role or group (in <c>realm_access</c>, <c>resource_access</c> or <c>groups</c>) that makes
    /// a caller an operator.</summary>
    public string OperatorRole { get; init; } = DefaultOperatorRole;
    /// <summary>Verified emails that are operators whatever their token says
    /// (for Catalyst-signed sessions, which carry no Keycloak roles).</summary>
    public IReadOnlyList<string> OperatorEmails { get; init; } = [];
    /// <summary>When set, the <c>iss</c> a Keycloak session must carry:
    /// the realm's public URL (not the in-cluster address).</summary>
    public string? GateIssuer { get; init; }
    /// <summary>The client a Keycloak session must be for: its <c>aud</c> or <c>azp</c>.</summary>
    public string GateAudience { get; init; } = "catalyst-zero-ui";
    /// <summary>When set, a Keycloak session must also carry this role or group to use the API at all.</summary>
    public string? GateRequiredRole { get; init; }
    /// <summary>
    /// A header an authenticating proxy in front of Catalyst sets to the signed-in user's email (e.g. oauth2-proxy's
    /// <c>X-Auth-Request-Email</c>). Unset (the default), every identity header a client sends is removed unread.
    /// </summary>
    public string? TrustedIdentityHeader { get; init; }

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
    /// <summary>Null when <c>CATALYST_KC_ADDR</c> is unset: the gate
    /// then lets everything through, as the original.</summary>
    public Uri? GateJwksUrl { get; init; }
    public string? SessionCookieSecret { get; init; }
    public string? SessionCookieDomain { get; init; }
    public string PostAuthRedirect { get; init; } = "/wizard";
    public string ApiPublicUrl { get; init; } = "https://console.openova.io/sovereign";
    public required SmtpSettings Smtp { get; init; }
    public MagicLinkLimits MagicLinkLimits { get; init; } = MagicLinkLimits.Default;
    /// <summary>
    /// Origins allowed to call cross-origin (<c>CORS_ORIGIN</c>), normalised, and/or <c>*</c> (any origin, without
    /// credentials); none by default. See <see cref="CorsPolicy"/>.
    /// </summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    public static AuthSettings From(Func<string, string?> read)
    {
        var keyPath = Settings.Text(read, "CATALYST_HANDOVER_KEY_PATH");
        var kcAddr = Settings.Text(read, "CATALYST_KC_ADDR");
        var kcRealm = Settings.Text(read, "CATALYST_KC_REALM");
        var secret = Settings.Text(read, "CATALYST_SESSION_COOKIE_SECRET");
        // The original documents 32 random bytes; anything much shorter is guessable and makes every session forgeable.
        if (secret is { Length: < 32 })
            throw new SettingException("CATALYST_SESSION_COOKIE_SECRET",
                $"is {secret.Length} characters; use at least 32 (e.g. openssl rand -base64 32)");
        var mode = Settings.Text(read, ModeSetting, "session").ToLowerInvariant() switch
        {
            "session" => AuthMode.Session,
            "off" => AuthMode.Off,
            var other => throw new SettingException(ModeSetting, $"is '{other}'; use session (the default) or off"),
        };
        var gateRealmUrl = kcAddr is null ? null
            : $"{Url("CATALYST_KC_ADDR", kcAddr).AbsoluteUri.TrimEnd('/')}/realms/" +
                $"{Uri.EscapeDataString(kcRealm ?? "openova")}";
        var trustedHeader = Settings.Text(read, "CATALYST_TRUSTED_IDENTITY_HEADER");
        if (trustedHeader is not null && !IdentityHeaders.IsHeaderName(trustedHeader))
            throw new SettingException("CATALYST_TRUSTED_IDENTITY_HEADER", $"'{trustedHeader}' is not a header name");
        IReadOnlyList<string> corsOrigins;
        try
        {
            corsOrigins = CorsPolicy.ParseOrigins(Settings.Text(read, "CORS_ORIGIN", ""));
        }
        catch (FormatException e)
        {
            throw new SettingException("CORS_ORIGIN", e.Message);
        }
        var openovaAudience = Settings.Text(read, "CATALYST_OPENOVA_KC_AUDIENCE", "catalyst-zero-ui");
        var settings = new AuthSettings
        {
            Mode = mode,
            OperatorRole = Settings.Text(read, "CATALYST_OPERATOR_ROLE", DefaultOperatorRole),
            OperatorEmails = List(Settings.Text(read, "CATALYST_OPERATOR_EMAILS", ""))
                .Select(e => e.ToLowerInvariant()).ToList(),
            // Only when set: the realm's JWKS already pins the realm, and its public issuer URL usually differs from
            // the in-cluster address Catalyst reaches it on, so a derived default would refuse every session.
            GateIssuer = Settings.Text(read, "CATALYST_KC_ISSUER")?.TrimEnd('/'),
            // The client Catalyst exchanges sessions for: the Sovereign's
            // console on a Sovereign (HandoverLogin), else Catalyst-Zero's UI.
            GateAudience = Settings.Text(read, "CATALYST_KC_AUDIENCE",
                Settings.Text(read, SovereignFqdnSetting) is null ? openovaAudience : HandoverLogin.ExchangeAudience),
            GateRequiredRole = Settings.Text(read, "CATALYST_KC_REQUIRED_ROLE"),
            TrustedIdentityHeader = trustedHeader,
            HandoverKeyPath = keyPath,
            HandoverPublicJwkPath = keyPath is null ? null
                : Settings.Text(read, "CATALYST_HANDOVER_PUBKEY_PATH", keyPath + ".pub.jwk"),
            Issuer = Settings.Text(read, "CATALYST_HANDOVER_JWT_ISSUER", DefaultIssuer),
            HandoverVerifyKeyPath = Settings.Text(read, "CATALYST_HANDOVER_JWT_PUBLIC_KEY_PATH",
                "/etc/catalyst/handover-jwt-public/public.jwk"),
            SovereignFqdn = Settings.Text(read, SovereignFqdnSetting, ""),
            SovereignKeycloak = new KeycloakSettings(
                Url("CATALYST_KC_ADDR", kcAddr ?? "http://keycloak.keycloak.svc.cluster.local:8080"),
                kcRealm ?? "sovereign",
                Settings.Text(read, "CATALYST_KC_SA_CLIENT_ID", "catalyst-api-server"),
                Settings.Text(read, "CATALYST_KC_SA_CLIENT_SECRET")),
            OpenovaKeycloak = new KeycloakSettings(
                Url("CATALYST_OPENOVA_KC_ADDR", Settings.Text(read, "CATALYST_OPENOVA_KC_ADDR") ?? kcAddr
                    ?? "http://keycloak-zero.keycloak-zero.svc.cluster.local"),
                Settings.Text(read, "CATALYST_OPENOVA_KC_REALM", "openova"),
                Settings.Text(read, "CATALYST_OPENOVA_KC_SA_CLIENT_ID", "catalyst-zero-server"),
                Settings.Text(read, "CATALYST_OPENOVA_KC_SA_CLIENT_SECRET")),
            OpenovaAudience = openovaAudience,
            GateJwksUrl = gateRealmUrl is null ? null : new Uri($"{gateRealmUrl}/protocol/openid-connect/certs"),
            SessionCookieSecret = secret,
            SessionCookieDomain = Settings.Text(read, "CATALYST_SESSION_COOKIE_DOMAIN"),
            PostAuthRedirect = Settings.Text(read, "CATALYST_POST_AUTH_REDIRECT", "/wizard"),
            ApiPublicUrl = Deployments.ProvisionSettings.PublicUrl(read),
            Smtp = new SmtpSettings(
                Settings.Text(read, "CATALYST_SMTP_HOST", "stalwart-web.stalwart.svc.cluster.local"),
                Settings.Int(read, "CATALYST_SMTP_PORT", 587, 1, 65535),
                Settings.Text(read, "CATALYST_SMTP_USER"),
                Settings.Text(read, "CATALYST_SMTP_PASS"),
                Settings.Text(read, "CATALYST_SMTP_FROM", "noreply@openova.io")),
            CorsOrigins = corsOrigins,
            MagicLinkLimits = new MagicLinkLimits(
                Settings.Int(read, "CATALYST_MAGIC_LINK_PER_EMAIL", MagicLinkLimits.Default.PerEmail, 1),
                Settings.Int(read, "CATALYST_MAGIC_LINK_PER_ADDRESS", MagicLinkLimits.Default.PerAddress, 1),
                Settings.Duration(read, "CATALYST_MAGIC_LINK_WINDOW", MagicLinkLimits.Default.Window)),
        };
        if (settings.Mode == AuthMode.Session && !settings.HasIdentitySource)
            throw new SettingException(ModeSetting,
                "is session (the default) but no identity source is configured: " +
                "set CATALYST_KC_ADDR (Keycloak sessions), " +
                "CATALYST_SESSION_COOKIE_SECRET or CATALYST_HANDOVER_KEY_PATH (sessions Catalyst signs), " +
                "or CATALYST_TRUSTED_IDENTITY_HEADER (an authenticating proxy); " +
                "or set CATALYST_AUTH_MODE=off to serve an open API (every deployment, " +
                "kubeconfig and wipe to anyone who can reach the port)");
        return settings;
    }

    /// <summary>Logged at start and sent on every /readyz answer while authentication is off.</summary>
    public const string OffWarning =
        "CATALYST_AUTH_MODE=off: no sign-in; anyone who can reach this port can list every deployment, " +
        "download its kubeconfig, mint its handover and wipe it";

    /// <summary>Something that can tell who a caller is: without
    /// one, session mode would refuse every request.</summary>
    public bool HasIdentitySource => GateJwksUrl is not null || SessionCookieSecret is not null
        || HandoverKeyPath is not null || TrustedIdentityHeader is not null;

    static IReadOnlyList<string> List(string text) =>
        text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // The session secret stays out of logs and exception messages even when the whole settings object is printed.
    public override string ToString() =>
        $"AuthSettings {{ Mode = {Mode}, Signer = {HandoverKeyPath ?? "off"}, Issuer = {Issuer}, " +
        $"SovereignFqdn = {SovereignFqdn}, Gate = {GateJwksUrl?.ToString() ?? "off"}, " +
        $"SessionCookieSecret = {(SessionCookieSecret is null ? "unset" : "set")} }}";

    static Uri Url(string setting, string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new SettingException(setting, $"'{text}' is not an http(s) URL");
}

/// <summary>Whether the API asks who is calling (<see cref="Session"/>) or serves anyone who can reach it
/// (<see cref="Off"/>).</summary>
public enum AuthMode
{
    Session,
    Off,
}

/// <summary>A Keycloak realm reached with a service account
/// (reference E.3). No secret means "not configured".</summary>
public sealed record KeycloakSettings(Uri Address, string Realm, string ClientId, string? ClientSecret)
{
    public bool Configured => ClientSecret is not null;

    // The secret never appears when a settings object is logged or put in an exception message.
    public override string ToString() =>
        $"KeycloakSettings {{ Address = {Address}, Realm = {Realm}, ClientId = {ClientId}, " +
        $"ClientSecret = {(ClientSecret is null ? "unset" : "set")} }}";
}

/// <summary>Where magic-link email goes. Authentication happens only when both user and password are set.</summary>
public sealed record SmtpSettings(string Host, int Port, string? User, string? Password, string From)
{
    public override string ToString() =>
        $"SmtpSettings {{ Host = {Host}, Port = {Port}, User = {User}, Password " +
        $"= {(Password is null ? "unset" : "set")}, From = {From} }}";
}
