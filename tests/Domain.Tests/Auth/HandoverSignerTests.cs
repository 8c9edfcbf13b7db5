using System.Security.Cryptography;
using System.Text.Json;
using Catalyst.Domain.Auth;
using Catalyst.Domain.Configuration;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Auth;

/// <summary>The handover signer and its key file (reference E.1; the original's handoverjwt tests).</summary>
public sealed class HandoverSignerTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "signer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    static HandoverSigner NewSigner() => new(RSA.Create(2048), AuthSettings.DefaultIssuer);

    [Fact]
    public void MintedTokenHasExactlyTheOriginalsClaims()
    {
        var signer = NewSigner();
        var minted = signer.MintHandover("omantel.omani.works", "0123456789abcdef", "owner-sub", "owner@example.com");

        var header = TestJwts.Header(minted.Token);
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.False(header.TryGetProperty("kid", out _));
        var claims = TestJwts.Payload(minted.Token);
        Assert.Equal(
            ["aud", "deployment_id", "email", "email_verified", "exp", "iat", "iss", "jti", "role", "sovereign_fqdn", "sub"],
            claims.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("https://console.openova.io", claims.GetProperty("iss").GetString());
        Assert.Equal("owner-sub", claims.GetProperty("sub").GetString());
        Assert.Equal(JsonValueKind.Array, claims.GetProperty("aud").ValueKind);
        Assert.Equal(["https://console.omantel.omani.works"], claims.GetProperty("aud").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("owner@example.com", claims.GetProperty("email").GetString());
        Assert.True(claims.GetProperty("email_verified").GetBoolean());
        Assert.Equal("omantel.omani.works", claims.GetProperty("sovereign_fqdn").GetString());
        Assert.Equal("0123456789abcdef", claims.GetProperty("deployment_id").GetString());
        Assert.Equal("sovereign-admin", claims.GetProperty("role").GetString());
        Assert.Equal(4, Guid.Parse(claims.GetProperty("jti").GetString()!).Version);
        var lifetime = claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64();
        Assert.InRange(lifetime, 4 * 60, 6 * 60);
        Assert.InRange(claims.GetProperty("iat").GetInt64(), TestJwts.Now - 5, TestJwts.Now + 5);
        Assert.Equal(minted.ExpiresAt.ToUnixTimeSeconds(), claims.GetProperty("exp").GetInt64());

        // The signature verifies with the published JWK and nothing else.
        var parts = minted.Token.Split('.');
        using var published = RsaKeys.ParsePublic(signer.PublicJwk);
        Assert.True(published.VerifyData(System.Text.Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"),
            System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Equal("https://console.omantel.omani.works/auth/handover?token=" + Uri.EscapeDataString(minted.Token),
            HandoverSigner.HandoverUrl("omantel.omani.works", minted.Token));
    }

    [Fact]
    public void JtiIsUniquePerToken()
    {
        var signer = NewSigner();
        var jtis = Enumerable.Range(0, 50).Select(_ => TestJwts.Payload(signer.MintHandover("a.b", "0123456789abcdef", "s", "e@x.io").Token).GetProperty("jti").GetString()).ToList();
        Assert.Equal(50, jtis.Distinct().Count());
    }

    [Fact]
    public void PublishedJwkHasTheOriginalsShape()
    {
        using var jwk = JsonDocument.Parse(NewSigner().PublicJwk);
        Assert.Equal(["kty", "use", "alg", "n", "e"], jwk.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("RSA", "sig", "RS256"), (jwk.RootElement.GetProperty("kty").GetString(), jwk.RootElement.GetProperty("use").GetString(), jwk.RootElement.GetProperty("alg").GetString()));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void LoadOrGenerateCreatesTheFilesWithTheirModesThenReloadsTheSameKey()
    {
        var keyPath = Path.Combine(folder, "nested", "handover-jwt-private.pem");
        var jwkPath = keyPath + ".pub.jwk";

        var (first, generated) = SignerKeyFile.LoadOrGenerate(keyPath, jwkPath);
        Assert.True(generated);
        Assert.Equal(2048, first.KeySize);
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", File.ReadAllText(keyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(jwkPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(keyPath)!));
        Assert.Equal(RsaKeys.PublicJwk(first), File.ReadAllText(jwkPath));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(keyPath)!, "*.tmp"));

        var (second, again) = SignerKeyFile.LoadOrGenerate(keyPath, jwkPath);
        Assert.False(again);
        Assert.Equal(first.ExportParameters(false).Modulus, second.ExportParameters(false).Modulus);
    }

    [Fact]
    public void ConcurrentStartsOnOneVolumeAgreeOnOneKey()
    {
        var keyPath = Path.Combine(folder, "race.pem");
        var keys = Enumerable.Range(0, 8).AsParallel().Select(_ => SignerKeyFile.LoadOrGenerate(keyPath, keyPath + ".pub.jwk").Key).ToList();
        Assert.Single(keys.Select(k => Convert.ToBase64String(k.ExportParameters(false).Modulus!)).Distinct());
    }

    [Fact]
    public void AcceptsPkcs8AndRejectsWhatIsNotAUsablePrivateKey()
    {
        using var rsa = RSA.Create(2048);
        Assert.NotNull(HandoverSigner.FromPem(rsa.ExportPkcs8PrivateKeyPem(), AuthSettings.DefaultIssuer));
        Assert.NotNull(HandoverSigner.FromPem(rsa.ExportRSAPrivateKeyPem(), AuthSettings.DefaultIssuer));

        Assert.Throws<InvalidKeyException>(() => HandoverSigner.FromPem("not a pem", AuthSettings.DefaultIssuer));
        Assert.Throws<InvalidKeyException>(() => HandoverSigner.FromPem("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----", AuthSettings.DefaultIssuer));
        Assert.Throws<InvalidKeyException>(() => HandoverSigner.FromPem(rsa.ExportSubjectPublicKeyInfoPem(), AuthSettings.DefaultIssuer));
        using var small = RSA.Create(1024);
        var error = Assert.Throws<InvalidKeyException>(() => HandoverSigner.FromPem(small.ExportRSAPrivateKeyPem(), AuthSettings.DefaultIssuer));
        Assert.Contains("1024 bits", error.Message);
        Assert.DoesNotContain("MII", error.Message);
    }

    [Fact]
    public void AnUnusableKeyFileTurnsTheSignerOffWithAReason()
    {
        Directory.CreateDirectory(folder);
        var keyPath = Path.Combine(folder, "bad.pem");
        using (var small = RSA.Create(1024)) File.WriteAllText(keyPath, small.ExportRSAPrivateKeyPem());
        var settings = AuthSettings.From(k => k == "CATALYST_HANDOVER_KEY_PATH" ? keyPath : null);
        var source = SignerSource.Load(settings, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.Null(source.Signer);
        Assert.Contains("1024 bits", source.Problem);

        var off = SignerSource.Load(AuthSettings.From(k => k == "CATALYST_AUTH_MODE" ? "off" : null), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.Equal("CATALYST_HANDOVER_KEY_PATH is not set", off.Problem);
    }

    [Fact]
    public void SettingsDefaultsAndOverrides()
    {
        var defaults = AuthSettings.From(k => k == "CATALYST_HANDOVER_KEY_PATH" ? "/var/lib/catalyst/k.pem" : null);
        Assert.Equal("/var/lib/catalyst/k.pem.pub.jwk", defaults.HandoverPublicJwkPath);
        Assert.Equal("https://console.openova.io", defaults.Issuer);
        Assert.Equal("/etc/catalyst/handover-jwt-public/public.jwk", defaults.HandoverVerifyKeyPath);
        Assert.Equal(("sovereign", "catalyst-api-server"), (defaults.SovereignKeycloak.Realm, defaults.SovereignKeycloak.ClientId));
        Assert.Null(defaults.GateJwksUrl);
        Assert.Equal(("openova", "catalyst-zero-server", "catalyst-zero-ui"), (defaults.OpenovaKeycloak.Realm, defaults.OpenovaKeycloak.ClientId, defaults.OpenovaAudience));
        Assert.Equal(("stalwart-web.stalwart.svc.cluster.local", 587, "noreply@openova.io"), (defaults.Smtp.Host, defaults.Smtp.Port, defaults.Smtp.From));
        Assert.Empty(defaults.CorsOrigins);
        Assert.Equal((AuthMode.Session, "catalyst-operator", "catalyst-zero-ui"), (defaults.Mode, defaults.OperatorRole, defaults.GateAudience));

        var set = new Dictionary<string, string?>
        {
            ["CATALYST_HANDOVER_JWT_ISSUER"] = "https://console.example.org", ["CATALYST_KC_ADDR"] = "http://kc:8080",
            ["CATALYST_KC_SA_CLIENT_SECRET"] = "s3cr3t-value-0001", ["CATALYST_SESSION_COOKIE_SECRET"] = new string('k', 32),
        };
        var overridden = AuthSettings.From(k => set.GetValueOrDefault(k));
        Assert.Equal("https://console.example.org", overridden.Issuer);
        // The env overlap (E.5): one address, two realms by default.
        Assert.Equal("http://kc:8080/realms/openova/protocol/openid-connect/certs", overridden.GateJwksUrl!.ToString());
        Assert.Null(overridden.GateIssuer);
        Assert.Equal("http://kc:8080/", overridden.SovereignKeycloak.Address.ToString());
        Assert.Equal("http://kc:8080/", overridden.OpenovaKeycloak.Address.ToString());
        Assert.DoesNotContain("s3cr3t", overridden.SovereignKeycloak.ToString());
        Assert.DoesNotContain(new string('k', 32), overridden.ToString());

        Assert.Equal("CATALYST_SESSION_COOKIE_SECRET",
            Assert.Throws<SettingException>(() => AuthSettings.From(k => k == "CATALYST_SESSION_COOKIE_SECRET" ? "short" : null)).Setting);
        Assert.Equal("CATALYST_KC_ADDR", Assert.Throws<SettingException>(() => AuthSettings.From(k => k == "CATALYST_KC_ADDR" ? "keycloak" : null)).Setting);
    }
}
