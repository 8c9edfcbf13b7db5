using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Catalyst.Testing;

/// <summary>
/// JWTs built by hand, so tests can make exactly the tokens a library would refuse to make: unsigned (<c>alg: none</c>),
/// HS256 keyed with an RSA public key, wrong claims of every kind.
/// </summary>
public static class TestJwts
{
    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static string Rs256(RSA key, object payload, string? kid = null) =>
        Build(kid is null ? new { alg = "RS256", typ = "JWT" } : new { alg = "RS256", typ = "JWT", kid }, payload,
            data => key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public static string Hs256(byte[] secret, object payload) =>
        Build(new { alg = "HS256", typ = "JWT" }, payload, data => HMACSHA256.HashData(secret, data));

    public static string None(object payload) => Build(new { alg = "none", typ = "JWT" }, payload, _ => []);

    public static string Build(object header, object payload, Func<byte[], byte[]> sign)
    {
        var signingInput = $"{Part(header)}.{Part(payload)}";
        return $"{signingInput}.{Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(signingInput)))}";
    }

    /// <summary>The payload of a JWT, unverified.</summary>
    public static JsonElement Payload(string jwt) => JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1])).RootElement.Clone();

    public static JsonElement Header(string jwt) => JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[0])).RootElement.Clone();

    /// <summary>The public key as an RSA JWK, the form a Sovereign mounts.</summary>
    public static string PublicJwk(RSA key, string? kid = null)
    {
        var p = key.ExportParameters(false);
        var jwk = new Dictionary<string, string> { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent) };
        if (kid is not null) jwk["kid"] = kid;
        return JsonSerializer.Serialize(jwk);
    }

    static string Part(object value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));
}
