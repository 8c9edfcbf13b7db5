using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Catalyst.Domain.Auth;

/// <summary>
/// The Sovereign's checks on a handover JWT, in the original's order (E.2 steps 3–6); the first failure wins and its
/// message is the original's. The one-time use of the jti (step
/// 7) and Keycloak come after, in <see cref="HandoverLogin"/>.
/// </summary>
public static class HandoverToken
{
    public const string MissingToken = "missing token parameter";
    public const string KeyUnavailable = "server misconfiguration: public key unavailable";
    public const string Invalid = "invalid token";
    public const string InvalidIssuer = "invalid issuer";
    public const string InvalidAudience = "invalid audience";
    public const string InsufficientRole = "insufficient role";
    public const string EmailNotVerified = "email not verified";
    public const string MissingEmail = "missing email claim";
    public const string MissingJti = "missing jti";
    public const string Replayed = "token already used";

    public sealed record Claims(string Subject, string Email, string Jti, string SovereignFqdn, string DeploymentId);

    /// <summary>The claims, or the original's 401 message.</summary>
    public static async Task<(Claims? Claims, string? Error)> CheckAsync(string token, RsaSecurityKey publicKey,
        string issuer, string sovereignFqdn, TimeProvider time)
    {
        if (await TokenChecks.VerifyAsync(token, [publicKey], SecurityAlgorithms.RsaSha256, time) is not { } jwt)
            return (null, Invalid);
        if (TokenChecks.Text(jwt, "iss") != issuer) return (null, InvalidIssuer);
        // SOVEREIGN_FQDN empty makes this "https://console." and every token fails, as the original (seed: Reloader).
        if (!jwt.Audiences.Contains(HandoverSigner.HandoverAudience(sovereignFqdn), StringComparer.Ordinal))
            return (null, InvalidAudience);
        if (TokenChecks.Text(jwt, "role") != HandoverSigner.AdminRole) return (null, InsufficientRole);
        if (!TokenChecks.IsTrue(jwt, "email_verified")) return (null, EmailNotVerified);
        var email = TokenChecks.Text(jwt, "email");
        if (email.Length == 0) return (null, MissingEmail);
        var jti = TokenChecks.Text(jwt, "jti");
        if (jti.Length == 0) return (null, MissingJti);
        return (new Claims(TokenChecks.Text(jwt, "sub"), email, jti, TokenChecks.Text(jwt, "sovereign_fqdn"),
            TokenChecks.Text(jwt, "deployment_id")), null);
    }

    /// <summary>Reads the verifying key from its file on every call:
    /// a mounted Secret that changes is picked up at once.</summary>
    public static RsaSecurityKey? LoadPublicKey(string path)
    {
        try
        {
            return new RsaSecurityKey(RsaKeys.ParsePublic(File.ReadAllText(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidKeyException)
        {
            return null;
        }
    }
}
