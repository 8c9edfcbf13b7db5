using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Catalyst.Domain.Auth;

/// <summary>
/// Catalyst-Zero's RS256 signer (reference E.1): mints the one-time handover JWT a Sovereign's <c>/auth/handover</c>
/// accepts, and signs the other tokens Catalyst issues itself (magic links, fallback sessions). The private key never
/// leaves this object; <see cref="PublicJwk"/> is what Sovereigns verify with.
/// </summary>
public sealed class HandoverSigner
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(5);
    public const string AdminRole = "sovereign-admin";

    readonly SigningCredentials credentials;
    readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false };
    readonly TimeProvider time;

    public HandoverSigner(RSA privateKey, string issuer, TimeProvider? time = null, TimeSpan? ttl = null)
    {
        if (privateKey.KeySize < RsaKeys.MinimumBits)
            throw new InvalidKeyException(
                $"the private key has {privateKey.KeySize} bits; at least {RsaKeys.MinimumBits} are required");
        credentials = new SigningCredentials(new RsaSecurityKey(privateKey), SecurityAlgorithms.RsaSha256);
        Issuer = issuer;
        Ttl = ttl ?? DefaultTtl;
        this.time = time ?? TimeProvider.System;
        var publicRsa = RSA.Create(privateKey.ExportParameters(includePrivateParameters: false));
        PublicKey = new RsaSecurityKey(publicRsa);
        PublicJwk = RsaKeys.PublicJwk(publicRsa);
    }

    /// <summary>The original's <c>New</c>: a PKCS#1 or PKCS#8 PEM, at least 2048 bits.</summary>
    public static HandoverSigner FromPem(string pem, string issuer, TimeProvider? time = null) =>
        new(RsaKeys.ParsePrivatePem(pem), issuer, time);

    public string Issuer { get; }
    public TimeSpan Ttl { get; }
    public RsaSecurityKey PublicKey { get; }
    public string PublicJwk { get; }

    /// <summary>
    /// The handover claims exactly as the original (E.1): iss, sub, aud ["https://console.&lt;fqdn&gt;"], iat, exp (iat
    /// + TTL), jti (uuid v4), email, email_verified, sovereign_fqdn, deployment_id, role.
    /// </summary>
    public MintedToken MintHandover(string sovereignFqdn, string deploymentId, string subject, string email)
    {
        var now = time.GetUtcNow();
        var expires = now + Ttl;
        var jti = Guid.NewGuid().ToString();
        var token = Sign(new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = subject,
            ["aud"] = new[] { HandoverAudience(sovereignFqdn) },
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["jti"] = jti,
            ["email"] = email,
            ["email_verified"] = true,
            ["sovereign_fqdn"] = sovereignFqdn,
            ["deployment_id"] = deploymentId,
            ["role"] = AdminRole,
        });
        return new MintedToken(token, jti, DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()),
            DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()));
    }

    /// <summary>The audience a Sovereign expects: its console's origin.</summary>
    public static string HandoverAudience(string sovereignFqdn) => "https://console." + sovereignFqdn;

    /// <summary>Where the browser goes with a handover token (E.1 <c>redirectURL</c>).</summary>
    public static string HandoverUrl(string sovereignFqdn, string token) =>
        $"https://console.{sovereignFqdn}/auth/handover?token={Uri.EscapeDataString(token)}";

    /// <summary>The original's <c>SignCustomClaims</c>: RS256 over the given claims, nothing added.</summary>
    public string Sign(IDictionary<string, object> claims) =>
        handler.CreateToken(new SecurityTokenDescriptor { Claims = claims, SigningCredentials = credentials });
}

public sealed record MintedToken(string Token, string Jti, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    // A minted token is a credential: keep it out of anything that prints records.
    public override string ToString() => $"MintedToken {{ Jti = {Jti}, ExpiresAt = {ExpiresAt:O} }}";
}
