using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Catalyst.Domain.Auth;

/// <summary>
/// Sessions Catalyst signs itself, for when Keycloak will not exchange tokens (Keycloak 26 dropped
/// <c>requested_subject</c>; the original's later fix, E.2 [I-late]): <c>typ: "session"</c>, 8 hours. Signed RS256 by
/// the handover signer when this process has one (<c>CATALYST_HANDOVER_KEY_PATH</c>); otherwise HS256 with a key
/// derived from <c>CATALYST_SESSION_COOKIE_SECRET</c> (a Sovereign verifies handovers but usually holds no signing key,
/// and the secret already guards its cookies). With neither, there is no fallback and the exchange failure stands.
/// The <c>typ</c> claim is what keeps a handover or magic-link
/// token, signed by the same key, from passing as a session.
/// </summary>
public sealed class SessionTokens
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);
    public const string SessionType = "session";

    readonly HandoverSigner? signer;
    readonly SymmetricSecurityKey? hmacKey;
    readonly string issuer;
    readonly TimeProvider time;
    readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false };

    public SessionTokens(HandoverSigner? signer, string? cookieSecret, string issuer, TimeProvider time)
    {
        this.signer = signer;
        this.issuer = issuer;
        this.time = time;
        if (cookieSecret is not null)
            hmacKey = new SymmetricSecurityKey(HKDF.DeriveKey(HashAlgorithmName.SHA256,
                Encoding.UTF8.GetBytes(cookieSecret), 32,
                info: Encoding.UTF8.GetBytes("catalyst-session-jwt")));
    }

    public bool CanIssue => signer is not null || hmacKey is not null;

    /// <summary>RS256 key that verifies the sessions (and only if their typ is session).</summary>
    public RsaSecurityKey? RsaKey => signer?.PublicKey;

    public SymmetricSecurityKey? HmacKey => hmacKey;

    /// <summary>
    /// A session for <paramref name="subject"/>: iss, sub, email, email_verified, role, iat, exp (+8 h), jti, typ, plus
    /// <paramref name="extra"/> (the handover adds keycloak_uid, sovereign_fqdn, deployment_id).
    /// </summary>
    public string Issue(string subject, string email, string role, IReadOnlyDictionary<string, object>? extra = null)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["iss"] = issuer,
            ["sub"] = subject,
            ["email"] = email,
            ["email_verified"] = true,
            ["role"] = role,
            ["iat"] = now,
            ["exp"] = now + (long)Lifetime.TotalSeconds,
            ["jti"] = Guid.NewGuid().ToString(),
            ["typ"] = SessionType,
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, object>()) claims[k] = v;
        if (signer is not null) return signer.Sign(claims);
        if (hmacKey is null) throw new InvalidOperationException("no key to sign sessions with");
        return handler.CreateToken(new SecurityTokenDescriptor { Claims = claims,
            SigningCredentials = new SigningCredentials(hmacKey, SecurityAlgorithms.HmacSha256) });
    }
}
