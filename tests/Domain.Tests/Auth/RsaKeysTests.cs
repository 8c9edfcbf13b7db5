using System.Security.Cryptography;
using Catalyst.Domain.Auth;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Auth;

/// <summary>The public key forms a Sovereign accepts (reference E.2 step 2; the original's LoadRSAPublicKey tests).</summary>
public class RsaKeysTests
{
    static readonly RSA Key = RSA.Create(2048);

    [Fact]
    public void JwkRoundTrips()
    {
        using var parsed = RsaKeys.ParsePublic(RsaKeys.PublicJwk(Key));
        Assert.Equal(Key.ExportParameters(false).Modulus, parsed.ExportParameters(false).Modulus);
        using var withKid = RsaKeys.ParsePublic(TestJwts.PublicJwk(Key, "some-kid"));
        Assert.Equal(2048, withKid.KeySize);
    }

    [Fact]
    public void PemInPkixAndPkcs1Form()
    {
        using var pkix = RsaKeys.ParsePublic(Key.ExportSubjectPublicKeyInfoPem());
        using var pkcs1 = RsaKeys.ParsePublic(Key.ExportRSAPublicKeyPem());
        Assert.Equal(pkix.ExportParameters(false).Modulus, pkcs1.ExportParameters(false).Modulus);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("""{"kty":"EC","crv":"P-256","x":"a","y":"b"}""", "kty must be RSA")]
    [InlineData("""{"kty":"RSA","n":"abc"}""", "needs n and e")]
    [InlineData("[1,2]", "neither a JWK nor a PEM")]
    [InlineData("{\"kty\":\"RSA\",\"n\":\"!!\",\"e\":\"AQAB\"}", "not a valid base64url")]
    [InlineData("hello", "neither a JWK nor a PEM")]
    public void RefusesWhatIsNotAnRsaPublicKey(string text, string problem) =>
        Assert.Contains(problem, Assert.Throws<InvalidKeyException>(() => RsaKeys.ParsePublic(text)).Message);

    [Fact]
    public void RefusesAPrivateKeyWhereAPublicOneIsExpected() =>
        Assert.Throws<InvalidKeyException>(() => RsaKeys.ParsePublic(Key.ExportRSAPrivateKeyPem()));
}
