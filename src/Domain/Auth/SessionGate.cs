namespace Catalyst.Domain.Auth;

/// <summary>
/// The session gate over <c>/api/v1/*</c> (reference E.5, A.1), written once for both hosts: each host's middleware
/// asks <see cref="DecideAsync"/> and does what the decision says. On unless <c>CATALYST_AUTH_MODE=off</c> (the
/// original was off whenever <c>CATALYST_KC_ADDR</c> was unset). Preflights (OPTIONS) pass; so do the routes that carry
/// their own credential or start a sign-in.
/// </summary>
public sealed class SessionGate(SessionVerifier verifier, SessionRules rules, bool enabled)
{
    public const string Unauthenticated = "unauthenticated";

    public bool Enabled => enabled;

    /// <param name="cookieValue">The <c>catalyst_session</c> cookie, if any.</param>
    /// <param name="proxyEmail">The operator-named trusted identity
    /// header's value, if one is configured and sent.</param>
    public async Task<GateDecision> DecideAsync(string method, string path, string? cookieValue, string? proxyEmail,
        CancellationToken cancellationToken)
    {
        if (!enabled || HttpMethods.IsOptions(method) || !GatePaths.IsGated(method, path)) return GateDecision.Pass;
        if (string.IsNullOrEmpty(cookieValue))
            return string.IsNullOrWhiteSpace(proxyEmail)
                ? GateDecision.Deny(401, Unauthenticated, "no session cookie", clearCookie: false)
                : GateDecision.Allow(rules.ProxyIdentity(proxyEmail.Trim()));
        return await verifier.CheckAsync(cookieValue, cancellationToken) switch
        {
            SessionVerifier.Outcome.Valid valid => GateDecision.Allow(valid.Identity),
            SessionVerifier.Outcome.Unavailable => GateDecision.Deny(503, "session-check-unavailable",
                "the identity provider's signing keys could not be read; try again shortly", clearCookie: false),
            _ => GateDecision.Deny(401, Unauthenticated, "the session is invalid or has expired", clearCookie: true),
        };
    }

    static class HttpMethods
    {
        public static bool IsOptions(string method) =>
            string.Equals(method, "OPTIONS", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>What the gate decided. <see cref="Identity"/> is set when a session was checked and is valid.</summary>
public sealed record GateDecision(bool Allowed, int Status, string? Error, string? Detail, bool ClearCookie,
    SessionIdentity? Identity)
{
    public static GateDecision Pass { get; } = new(true, 0, null, null, false, null);

    public static GateDecision Allow(SessionIdentity identity) => new(true, 0, null, null, false, identity);

    public static GateDecision Deny(int status, string error, string detail, bool clearCookie) =>
        new(false, status, error, detail, clearCookie, null);
}

/// <summary>
/// Which requests the gate covers: everything under <c>/api/v1</c> except what must stay reachable without a session —
/// the kubeconfig postback (its bearer is its credential; #634, otech23), the tofu state backend (its own basic auth),
/// and the sign-in entry points. Everything outside <c>/api/v1</c> (<c>/healthz</c>, <c>/readyz</c>, <c>/auth/*</c>) is
/// public. Matching is by whole segments and case-insensitive, as routing is, so a different spelling of a gated route
/// cannot slip through as a public one.
/// </summary>
public static class GatePaths
{
    public static bool IsGated(string method, string path)
    {
        var segments = path.Trim('/').Split('/');
        if (segments.Length < 2 || !Is(segments[0], "api") || !Is(segments[1], "v1")) return false;
        var rest = segments[2..];
        var m = method.ToUpperInvariant();
        // PUT /api/v1/deployments/{id}/kubeconfig
        if (m == "PUT" && rest.Length == 3 && Is(rest[0], "deployments") && rest[1].Length > 0
            && Is(rest[2], "kubeconfig")) return false;
        // /api/v1/tofu/state/{id} and /api/v1/tofu/state/{id}/lock, any verb
        if (rest.Length is 3 or 4 && Is(rest[0], "tofu") && Is(rest[1], "state") && rest[2].Length > 0
            && (rest.Length == 3 || Is(rest[3], "lock"))) return false;
        if (rest.Length == 2 && Is(rest[0], "auth"))
        {
            var entry = (m, rest[1].ToLowerInvariant());
            if (entry is ("POST", "magic-link") or ("GET", "magic") or ("GET", "callback") or ("DELETE", "session"))
                return false;
        }
        return true;
    }

    static bool Is(string segment, string name) => string.Equals(segment, name, StringComparison.OrdinalIgnoreCase);
}
