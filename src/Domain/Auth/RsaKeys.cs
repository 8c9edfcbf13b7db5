using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Catalyst.Domain.Auth;

/// <summary>
/// RSA keys in the forms the original reads and writes: the signer's private key as PKCS#1 or PKCS#8 PEM (E.1), the
/// verifier's public key as PEM (PKIX or PKCS#1) or an RSA JWK (E.2), and the JWK the signer publishes:
/// <c>{"kty":"RSA","use":"sig","alg":"RS256","n","e"}</c> with no <c>kid</c>.
/// </summary>
public static class RsaKeys
{
    public const int MinimumBits = 2048;

    /// <summary>A private key from PEM; refuses public keys, encrypted keys and keys under 2048 bits.</summary>
    public static RSA ParsePrivatePem(string pem)
    {
        var label = PemLabel(pem);
        if (label is not ("RSA PRIVATE KEY" or "PRIVATE KEY"))
            throw new InvalidKeyException(label is null ? "no PEM block found"
                : $"PEM block is '{label}', expected 'RSA PRIVATE KEY' (PKCS#1) or 'PRIVATE KEY' (PKCS#8)");
        return Checked(pem, "private key");
    }

    /// <summary>A public key from PEM (PKIX or PKCS#1) or an RSA JWK
    /// (<c>kty</c> RSA, <c>n</c> and <c>e</c> required).</summary>
    public static RSA ParsePublic(string text)
    {
        text = text.Trim();
        if (text.StartsWith('{')) return FromJwk(text);
        var label = PemLabel(text);
        if (label is not ("PUBLIC KEY" or "RSA PUBLIC KEY"))
            throw new InvalidKeyException(label is null ? "neither a JWK nor a PEM public key"
                : $"PEM block is '{label}', expected a public key");
        return Checked(text, "public key");
    }

    public static RSA FromJwk(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidKeyException("JWK is not valid JSON", e);
        }
        if (node is not JsonObject jwk) throw new InvalidKeyException("JWK is not a JSON object");
        if (Text(jwk, "kty") != "RSA") throw new InvalidKeyException("JWK kty must be RSA");
        var (modulus, exponent) = (Text(jwk, "n"), Text(jwk, "e"));
        if (string.IsNullOrEmpty(modulus) || string.IsNullOrEmpty(exponent))
            throw new InvalidKeyException("JWK needs n and e");
        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(new RSAParameters { Modulus = Base64Url.DecodeFromChars(modulus),
                Exponent = Base64Url.DecodeFromChars(exponent) });
        }
        catch (Exception x) when (x is FormatException or CryptographicException)
        {
            rsa.Dispose();
            throw new InvalidKeyException("JWK n or e is not a valid base64url RSA value", x);
        }
        return RequireSize(rsa, "public key");
    }

    /// <summary>The public half as the JWK the original publishes (and tofu passes on as
    /// <c>handover_jwt_public_key</c>).</summary>
    public static string PublicJwk(RSA rsa)
    {
        var p = rsa.ExportParameters(includePrivateParameters: false);
        return JsonSerializer.Serialize(new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["n"] = Base64Url.EncodeToString(p.Modulus),
            ["e"] = Base64Url.EncodeToString(p.Exponent),
        });
    }

    static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    static string? PemLabel(string text)
    {
        if (!PemEncoding.TryFind(text, out var fields)) return null;
        return text[fields.Label].ToString();
    }

    static RSA Checked(string pem, string what)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new InvalidKeyException($"the {what} PEM does not parse as RSA", e);
        }
        return RequireSize(rsa, what);
    }

    static RSA RequireSize(RSA rsa, string what)
    {
        if (rsa.KeySize >= MinimumBits) return rsa;
        var bits = rsa.KeySize;
        rsa.Dispose();
        throw new InvalidKeyException($"the {what} has {bits} bits; at least {MinimumBits} are required");
    }
}

/// <summary>Key material that cannot be used. Messages describe the problem, never the key.</summary>
public sealed class InvalidKeyException(string message, Exception? inner = null) : Exception(message, inner);
