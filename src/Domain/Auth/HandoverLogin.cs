using Microsoft.Extensions.Logging;

namespace Catalyst.Domain.Auth;

/// <summary>
/// <c>GET /auth/handover?token=</c> on a Sovereign (reference E.2): verify the one-time JWT Catalyst-Zero minted, burn
/// its jti, make sure the owner exists in the Sovereign's Keycloak as a <c>sovereign-admins</c> member, and start a
/// session — Keycloak's own (token exchange) or, where Keycloak refuses that exchange, one Catalyst signs
/// (<see cref="SessionTokens"/>). Every refusal is a 401 with the original's message. Both live failures of this path
/// were configuration (seed, otech48): an unset SOVEREIGN_FQDN collapsed the audience, and a subPath mount of the
/// public JWK collided with a leftover directory (#606: the key is mounted as a directory, never subPath).
/// </summary>
public sealed class HandoverLogin(AuthSettings settings, OneTimeTokens jtis,
    Func<KeycloakSettings, KeycloakClient> keycloak,
    SessionTokens sessions, SessionCookies cookies, TimeProvider time, ILogger<HandoverLogin> log)
{
    public const string AdminGroup = "sovereign-admins";
    public const string ExchangeAudience = "catalyst-ui";
    public const string Landing = "/console/dashboard";

    public async Task<LoginOutcome> SignInAsync(string? token, bool secure, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token)) return Refuse(HandoverToken.MissingToken);
        if (HandoverToken.LoadPublicKey(settings.HandoverVerifyKeyPath) is not { } key)
        {
            log.LogError("Handover refused: no usable public key at {Path} (CATALYST_HANDOVER_JWT_PUBLIC_KEY_PATH)",
                settings.HandoverVerifyKeyPath);
            return Refuse(HandoverToken.KeyUnavailable);
        }
        var (claims, error) = await HandoverToken.CheckAsync(token, key, settings.Issuer, settings.SovereignFqdn, time);
        if (claims is null)
        {
            if (error == HandoverToken.InvalidAudience && settings.SovereignFqdn.Length == 0)
                log.LogError(
                    "Handover refused: SOVEREIGN_FQDN is empty, so no audience can match (seed: " +
                    "sovereign-fqdn ConfigMap, Reloader)");
            else log.LogWarning("Handover refused: {Reason}", error);
            return Refuse(error!);
        }

        bool first;
        try
        {
            first = await jtis.MarkAsync(claims.Jti, cancellationToken);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException or IOException)
        {
            log.LogError("Handover refused: the one-time store failed ({Error})", e.GetType().Name);
            return Refuse(LoginOutcome.InternalError);
        }
        if (!first)
        {
            log.LogWarning("Handover refused: token {Jti} was already used", claims.Jti);
            return Refuse(HandoverToken.Replayed);
        }

        if (!settings.SovereignKeycloak.Configured) return Refuse(LoginOutcome.KeycloakNotConfigured);
        var client = keycloak(settings.SovereignKeycloak);
        string userId;
        try
        {
            userId = await client.EnsureUserAsync(claims.Email, AdminGroup, cancellationToken);
        }
        catch (Exception e) when (LoginOutcome.IsKeycloakFailure(e))
        {
            log.LogError("Handover for deployment {Deployment}: {Problem}", claims.DeploymentId, e.Message);
            return Refuse(LoginOutcome.EnsureUserFailed);
        }

        KeycloakClient.Exchange exchange;
        try
        {
            exchange = await client.ImpersonateAsync(userId, ExchangeAudience, cancellationToken);
        }
        catch (Exception e) when (LoginOutcome.IsKeycloakFailure(e))
        {
            log.LogError("Handover for deployment {Deployment}: {Problem}", claims.DeploymentId, e.Message);
            return Refuse(LoginOutcome.ExchangeFailed);
        }

        switch (exchange)
        {
            case KeycloakClient.Exchange.Issued issued:
                var lifetime = TimeSpan.FromSeconds(issued.ExpiresIn > 0 ? issued.ExpiresIn : 3600);
                log.LogInformation("Handover for deployment {Deployment}: {Email} signed in with a Keycloak session",
                    claims.DeploymentId, claims.Email);
                return new LoginOutcome.Redirect(302, Landing,
                    cookies.Issue(issued.AccessToken, lifetime, issued.RefreshToken, lifetime * 8, secure));
            case KeycloakClient.Exchange.Refused refused when sessions.CanIssue:
                var session = sessions.Issue(claims.Email, claims.Email, HandoverSigner.AdminRole,
                    new Dictionary<string, object>
                {
                    ["keycloak_uid"] = userId,
                    ["sovereign_fqdn"] = claims.SovereignFqdn,
                    ["deployment_id"] = claims.DeploymentId,
                });
                log.LogInformation(
                    "Handover for deployment {Deployment}: Keycloak refused token exchange ({Reason}); " +
                    "{Email} signed in with a Catalyst session",
                    claims.DeploymentId, refused.Reason, claims.Email);
                return new LoginOutcome.Redirect(302, Landing,
                    cookies.Issue(session, SessionTokens.Lifetime, null, TimeSpan.Zero, secure));
            case KeycloakClient.Exchange.Refused refused:
                log.LogError(
                    "Handover for deployment {Deployment}: Keycloak refused token exchange ({Reason}) " +
                    "and this process has no key to sign a session " +
                    "(set CATALYST_HANDOVER_KEY_PATH or CATALYST_SESSION_COOKIE_SECRET)",
                    claims.DeploymentId, refused.Reason);
                return Refuse(LoginOutcome.ExchangeFailed);
            default:
                throw new InvalidOperationException(exchange.GetType().Name);
        }
    }

    static LoginOutcome Refuse(string error) => new LoginOutcome.Refused(401, error);
}
