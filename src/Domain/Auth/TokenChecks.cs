using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Catalyst.Domain.Auth;

/// <summary>
/// Signature and lifetime checks shared by every token Catalyst accepts. One algorithm per key, named by the caller, so
/// a token can never pick its own (no <c>none</c>, no HS256 "signed" with an RSA public key). <c>exp</c> is required;
/// <c>nbf</c> and <c>iat</c> may not lie in the future beyond <see cref="Skew"/>. Lifetime is checked here, against the
/// injected clock, rather than by the library, so tests and the rules share one notion of "now".
/// </summary>
public static class TokenChecks
{
    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);
    static readonly JsonWebTokenHandler Handler = new();

    /// <summary>The verified token, or null when the signature, algorithm
    /// or lifetime is wrong or the text is not a JWT.</summary>
    public static async Task<JsonWebToken?> VerifyAsync(string token, IReadOnlyList<SecurityKey> keys, string algorithm,
        TimeProvider time)
    {
        if (keys.Count == 0 || string.IsNullOrEmpty(token)) return null;
        var parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            ValidAlgorithms = [algorithm],
            RequireSignedTokens = true,
            TryAllIssuerSigningKeys = true,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidateIssuerSigningKey = false,
        };
        TokenValidationResult result;
        try
        {
            result = await Handler.ValidateTokenAsync(token, parameters);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or SecurityTokenException)
        {
            return null;
        }
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return null;
        if (jwt.Alg != algorithm) return null;
        return LifetimeHolds(jwt, time.GetUtcNow()) ? jwt : null;
    }

    static bool LifetimeHolds(JsonWebToken jwt, DateTimeOffset now)
    {
        if (NumericDate(jwt, "exp") is not { } exp || exp <= now - Skew) return false;
        if (NumericDate(jwt, "nbf") is { } nbf && nbf > now + Skew) return false;
        if (NumericDate(jwt, "iat") is { } iat && iat > now + Skew) return false;
        return true;
    }

    static DateTimeOffset? NumericDate(JsonWebToken jwt, string claim)
    {
        if (!jwt.TryGetPayloadValue<object>(claim, out var raw) || raw is null) return null;
        return double.TryParse(Convert.ToString(raw, System.Globalization.CultureInfo.InvariantCulture),
            System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and < 253402300800
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))
            // present but not a number: treated as long past, so exp fails and nbf/iat pass only if absent
            : DateTimeOffset.MinValue;
    }

    public static string Text(JsonWebToken jwt, string claim) =>
        jwt.TryGetPayloadValue<string>(claim, out var value) && value is not null ? value : "";

    /// <summary>True only for a JSON <c>true</c>, as the original's typed claims struct.</summary>
    public static bool IsTrue(JsonWebToken jwt, string claim) =>
        jwt.TryGetPayloadValue<bool>(claim, out var value) && value;
}
