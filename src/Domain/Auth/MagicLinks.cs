using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Catalyst.Domain.Auth;

/// <summary>
/// Magic-link sign-in on Catalyst-Zero (reference E.4, Option B): <see cref="RequestAsync"/> emails a 15-minute
/// one-time link signed by the handover signer whose subject is the email; it never calls Keycloak (the original
/// created an enabled, verified user for any address a stranger typed). <see cref="SignInAsync"/> checks the link,
/// burns its jti (container <c>magic-jti</c>, separate from handovers), and only then, the mailbox proven, makes sure
/// the user exists in the openova realm and starts a session for the user's Keycloak id, as the handover does.
/// Refusals a person can act on redirect to the login page (<c>?error=reason</c>, 303); the rest are 401s, as the
/// original. The link points at <c>{CATALYST_API_PUBLIC_URL}/api/v1/auth/magic</c>, the route that serves it, and that
/// URL is also the token's audience (the original's first cut sent <c>…/auth/magic</c>, which no route answered; its
/// later variant fixed the path the same way).
/// </summary>
public sealed class MagicLinks(AuthSettings settings, SignerSource signer, OneTimeTokens jtis,
    Func<KeycloakSettings, KeycloakClient> keycloak,
    IMagicLinkMailer mailer, MagicLinkThrottle throttle, SessionTokens sessions, SessionCookies cookies,
    TimeProvider time, ILogger<MagicLinks> log)
{
    public const string UserGroup = "openova-users";
    public const string UserRole = "openova-user";
    public const string TooManyRequests = "too-many-requests";
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromMinutes(15);

    public string Audience => settings.ApiPublicUrl + "/api/v1/auth/magic";

    /// <summary>
    /// POST /api/v1/auth/magic-link: 200, or the original's status and message; 429 over the per-email or per-address
    /// limit (<paramref name="client"/>: the connection's address, never a header a client could choose).
    /// </summary>
    public async Task<LoginOutcome.Refused?> RequestAsync(string? email, System.Net.IPAddress? client,
        CancellationToken cancellationToken)
    {
        if (signer.Signer is not { } key)
            return new(503, "auth not configured: handover signer unavailable (CATALYST_HANDOVER_KEY_PATH not set)",
                signer.Problem);
        if (!EmailAddress.IsValid(email)) return new(400, "email required");
        if (!settings.OpenovaKeycloak.Configured)
            return new(503, "auth not configured: CATALYST_OPENOVA_KC_SA_CLIENT_SECRET not set");
        try
        {
            if (await throttle.AcquireAsync(email!, client, cancellationToken) is { } wait)
            {
                log.LogWarning("Magic link refused: rate limit ({Seconds} s left)", wait);
                return new(429, TooManyRequests, "too many sign-in links requested; try again later", wait);
            }
        }
        catch (Exception e) when (e is Azure.RequestFailedException or RateLimitContentionException or IOException)
        {
            // Without the shared count there is no limit: refuse rather than mail without one.
            log.LogError("Magic link refused: the rate-limit store failed ({Error})", e.GetType().Name);
            return new(503, "rate limit unavailable");
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var token = key.Sign(new Dictionary<string, object>
        {
            ["iss"] = key.Issuer,
            ["aud"] = new[] { Audience },
            // The address is not proven yet, so no Keycloak user exists for it: the link names the email, and redeeming
            // it (which proves the mailbox) creates the user.
            ["sub"] = email!,
            ["iat"] = now,
            ["exp"] = now + (long)LinkLifetime.TotalSeconds,
            ["jti"] = Guid.NewGuid().ToString(),
            ["email"] = email!,
            ["email_verified"] = true,
            ["role"] = UserRole,
        });
        try
        {
            await mailer.SendAsync(email!, $"{Audience}?token={Uri.EscapeDataString(token)}", cancellationToken);
        }
        catch (MagicLinkMailException e)
        {
            log.LogError("Magic link: {Problem}", e.Message);
            return new(502, "email dispatch failed");
        }
        log.LogInformation("Magic link sent to {Email}", email);
        return null;
    }

    /// <summary>GET /api/v1/auth/magic?token=.</summary>
    public async Task<LoginOutcome> SignInAsync(string? token, bool secure, CancellationToken cancellationToken)
    {
        if (signer.Signer is not { } key)
            return new LoginOutcome.Refused(401, "server misconfiguration: signer unavailable", signer.Problem);
        if (string.IsNullOrEmpty(token)) return ToLogin("missing_token");
        if (await TokenChecks.VerifyAsync(token, [key.PublicKey], SecurityAlgorithms.RsaSha256, time) is not { } jwt)
            return ToLogin("invalid_token");
        if (TokenChecks.Text(jwt, "iss") != key.Issuer) return ToLogin("invalid_issuer");
        if (!jwt.Audiences.Contains(Audience, StringComparer.Ordinal)) return ToLogin("invalid_audience");
        if (TokenChecks.Text(jwt, "role") != UserRole) return ToLogin("insufficient_role");
        if (!TokenChecks.IsTrue(jwt, "email_verified")) return new LoginOutcome.Refused(401, "email not verified");
        var (subject, email, jti) = (TokenChecks.Text(jwt, "sub"), TokenChecks.Text(jwt, "email"),
            TokenChecks.Text(jwt, "jti"));
        if (subject.Length == 0 || email.Length == 0)
            return new LoginOutcome.Refused(401, "missing email or sub claim");
        if (jti.Length == 0) return new LoginOutcome.Refused(401, "missing jti");
        try
        {
            if (!await jtis.MarkAsync(jti, cancellationToken)) return ToLogin("token_replayed");
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException or IOException)
        {
            log.LogError("Magic link refused: the one-time store failed ({Error})", e.GetType().Name);
            return new LoginOutcome.Refused(401, LoginOutcome.InternalError);
        }

        if (!settings.OpenovaKeycloak.Configured)
            return new LoginOutcome.Refused(401, LoginOutcome.KeycloakNotConfigured);
        var client = keycloak(settings.OpenovaKeycloak);
        string userId;
        try
        {
            userId = await client.EnsureUserAsync(email, UserGroup, cancellationToken);
        }
        catch (Exception e) when (LoginOutcome.IsKeycloakFailure(e))
        {
            log.LogError("Magic link sign-in: {Problem}", e.Message);
            return new LoginOutcome.Refused(401, LoginOutcome.EnsureUserFailed);
        }

        KeycloakClient.Exchange exchange;
        try
        {
            exchange = await client.ImpersonateAsync(userId, settings.OpenovaAudience, cancellationToken);
        }
        catch (Exception e) when (LoginOutcome.IsKeycloakFailure(e))
        {
            log.LogError("Magic link sign-in: {Problem}", e.Message);
            return new LoginOutcome.Refused(401, LoginOutcome.ExchangeFailed);
        }
        switch (exchange)
        {
            case KeycloakClient.Exchange.Issued issued:
                var lifetime = TimeSpan.FromSeconds(issued.ExpiresIn > 0 ? issued.ExpiresIn : 3600);
                return new LoginOutcome.Redirect(302, settings.PostAuthRedirect,
                    cookies.Issue(issued.AccessToken, lifetime, issued.RefreshToken, lifetime * 8, secure));
            case KeycloakClient.Exchange.Refused refused when sessions.CanIssue:
                log.LogInformation(
                    "Magic link sign-in: Keycloak refused token exchange ({Reason}); {Email} gets a Catalyst session",
                    refused.Reason, email);
                return new LoginOutcome.Redirect(302, settings.PostAuthRedirect,
                    cookies.Issue(sessions.Issue(userId, email, UserRole), SessionTokens.Lifetime, null,
                        TimeSpan.Zero, secure));
            default:
                log.LogError("Magic link sign-in: Keycloak refused token exchange and no session key is configured");
                return new LoginOutcome.Refused(401, LoginOutcome.ExchangeFailed);
        }
    }

    /// <summary>The original's loginRedirect: the post-auth path up to its last '/', then
    /// <c>/login?error=reason</c>.</summary>
    public static string LoginRedirect(string postAuthRedirect, string reason)
    {
        var slash = postAuthRedirect.LastIndexOf('/');
        return $"{(slash > 0 ? postAuthRedirect[..slash] : "")}/login?error={Uri.EscapeDataString(reason)}";
    }

    LoginOutcome ToLogin(string reason) =>
        new LoginOutcome.Redirect(303, LoginRedirect(settings.PostAuthRedirect, reason), []);
}

/// <summary>An address we will put in a To: header: one plain address, no display name, no line breaks.</summary>
public static class EmailAddress
{
    public static bool IsValid(string? email) =>
        !string.IsNullOrWhiteSpace(email) && email.Length <= 254
            && !email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
        && System.Net.Mail.MailAddress.TryCreate(email, out var parsed) && parsed.Address == email
        && parsed.DisplayName.Length == 0;
}
