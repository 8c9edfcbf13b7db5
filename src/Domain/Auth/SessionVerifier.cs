using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Catalyst.Domain.Auth;

/// <summary>
/// Who a valid session belongs to (the original's claims: sub, email, email_verified, preferred_username), and whether
/// that caller is an operator, who may act on every tenant's deployments.
/// </summary>
public sealed record SessionIdentity(string Subject, string Email, bool EmailVerified, string? PreferredUsername)
{
    public bool IsOperator { get; init; }
}

/// <summary>
/// Reads a <c>catalyst_session</c> cookie (E.5): the HMAC form is checked first (constant time), then the token inside.
/// An RS256 token whose kid Keycloak publishes is a Keycloak session: its issuer, audience (or <c>azp</c>) and, when
/// configured, its role are checked (<see cref="SessionRules"/>; the original checked none, so any token of the realm —
/// for any client — opened the API). Any other must be a session Catalyst signed itself (<see cref="SessionTokens"/>,
/// typ "session") with the signer's key or the key derived from the cookie secret. <c>exp</c> is required for both.
/// </summary>
public sealed class SessionVerifier(SessionCookies cookies, SessionTokens local, JwksCache? keycloak,
    SessionRules rules, TimeProvider time,
    SessionRevocations? revocations = null)
{
    public abstract record Outcome
    {
        public sealed record Valid(SessionIdentity Identity) : Outcome;
        public sealed record Invalid : Outcome;
        /// <summary>Keycloak's keys could not be read: we cannot tell,
        /// so the session is neither accepted nor cleared.</summary>
        public sealed record Unavailable : Outcome;
    }

    public async Task<Outcome> CheckAsync(string? cookieValue, CancellationToken cancellationToken)
    {
        var outcome = await VerifyAsync(cookieValue, cancellationToken);
        if (outcome is not Outcome.Valid || revocations is null) return outcome;
        // A signed-out session stays out on every replica; storage
        // that cannot say is "cannot tell", as with Keycloak's keys.
        return await revocations.IsRevokedAsync(cookies.Decode(cookieValue)!, cancellationToken) switch
        {
            false => outcome,
            true => new Outcome.Invalid(),
            null => new Outcome.Unavailable(),
        };
    }

    async Task<Outcome> VerifyAsync(string? cookieValue, CancellationToken cancellationToken)
    {
        if (cookies.Decode(cookieValue) is not { } token) return new Outcome.Invalid();
        string alg, kid;
        try
        {
            var header = new JsonWebToken(token);
            (alg, kid) = (header.Alg ?? "", header.Kid ?? "");
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenMalformedException)
        {
            return new Outcome.Invalid();
        }

        if (alg == SecurityAlgorithms.RsaSha256 && kid.Length > 0 && keycloak is not null)
        {
            IReadOnlyList<SecurityKey> keys;
            try
            {
                keys = await keycloak.KeysForAsync(kid, cancellationToken);
            }
            catch (JwksUnavailableException)
            {
                return new Outcome.Unavailable();
            }
            if (keys.Count > 0)
                return await TokenChecks.VerifyAsync(token, keys, alg, time) is { } kc && rules.AdmitsKeycloak(kc)
                    ? new Outcome.Valid(rules.Identity(kc)) : new Outcome.Invalid();
        }

        SecurityKey? localKey = alg switch
        {
            SecurityAlgorithms.RsaSha256 => local.RsaKey,
            SecurityAlgorithms.HmacSha256 => local.HmacKey,
            _ => null,
        };
        if (localKey is null) return new Outcome.Invalid();
        var jwt = await TokenChecks.VerifyAsync(token, [localKey], alg, time);
        return jwt is not null && TokenChecks.Text(jwt, "typ") == SessionTokens.SessionType
            ? new Outcome.Valid(rules.Identity(jwt)) : new Outcome.Invalid();
    }
}
