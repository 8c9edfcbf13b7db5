using System.Security.Cryptography;
using Catalyst.Domain.Configuration;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Domain.Tofu;

namespace Catalyst.Tofu.Tests.Unit;

public class RedactorTests
{
    [Fact]
    public void ReplacesEverySecretOfTheInvocationWherever_it_appears()
    {
        var id = Samples.NewId();
        var invocation = Samples.Invocation(id, Samples.Backend(id));
        var redactor = TofuRunner.RedactorFor(invocation);
        var token = invocation.SecretVariables["hcloud_token"];
        var line = $"Error: token {token} rejected; backend {invocation.Backend.Password}; key={invocation.Backend.EncryptionPassphrase}{token}";

        Assert.Equal("Error: token <redacted> rejected; backend <redacted>; key=<redacted><redacted>", redactor.Redact(line));
    }

    [Fact]
    public void ALongerSecretContainingAShorterOneIsReplacedWhole()
    {
        var redactor = new Redactor(["abc", "xxabcxx"], minimumLength: 1);
        Assert.Equal("<redacted> and <redacted>", redactor.Redact("xxabcxx and abc"));
    }

    [Fact]
    public void EmptySecretsChangeNothing()
    {
        var redactor = new Redactor(["", null], minimumLength: 1);
        Assert.Equal("plain line", redactor.Redact("plain line"));
    }
}

public class TofuFailuresTests
{
    [Theory]
    [InlineData("Error: Error acquiring the state lock", true)]
    [InlineData("Error: Failed to persist state: HTTP error: 503", true)]
    [InlineData("Error: Unexpected HTTP response code 502", true)]
    [InlineData("POST http://127.0.0.1:8080/api/v1/tofu/state/x giving up after 3 attempt(s)", true)]
    [InlineData("dial tcp 127.0.0.1:8080: connect: connection refused", true)]
    [InlineData("net/http: request canceled (Client.Timeout exceeded while awaiting headers)", true)]
    [InlineData("Error: creating server: token is invalid (unauthorized)", false)]
    [InlineData("Error: Failed to persist state: HTTP error: 423", false)]
    [InlineData("Error: Invalid value for variable", false)]
    public void TellsWhatARetryMayFix(string line, bool transient) =>
        Assert.Equal(transient, TofuFailures.IsTransient(line));
}

public class LeaseIdTests
{
    [Fact]
    public void IsTheFirstHalfOfTheSha256OfTheLockId()
    {
        var lockId = "5e5e4a4f-1b6e-4c83-9b0e-3d3c3f0a8b1c";
        var expected = new Guid(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(lockId)).AsSpan(0, 16));

        Assert.Equal(expected, TofuLockInfo.LeaseIdFor(lockId));
        Assert.Equal(TofuLockInfo.LeaseIdFor(lockId), TofuLockInfo.LeaseIdFor(lockId));
        Assert.NotEqual(TofuLockInfo.LeaseIdFor(lockId), TofuLockInfo.LeaseIdFor(lockId + "x"));
    }

    [Fact]
    public void LockInfoParsesTofusBodyAndKeepsItVerbatim()
    {
        var body = """{"ID":"abc","Operation":"OperationTypeApply","Info":"","Who":"nonroot@pod","Version":"1.8.0","Created":"2026-01-02T03:04:05.123456789Z","Path":""}"""u8.ToArray();
        Assert.True(TofuLockInfo.TryParse(body, out var info));
        Assert.Equal(("abc", "OperationTypeApply", "nonroot@pod", "2026-01-02T03:04:05.123456789Z"), (info!.Id, info.Operation, info.Who, info.Created));
        Assert.Equal(System.Text.Encoding.UTF8.GetString(body), info.Raw);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"Operation\":\"x\"}")]
    [InlineData("{\"ID\":\"\"}")]
    public void LockInfoWithoutAnIdIsRefused(string body) =>
        Assert.False(TofuLockInfo.TryParse(System.Text.Encoding.UTF8.GetBytes(body), out _));
}

public class TofuBackendCredentialsTests
{
    static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void PasswordIsBase64UrlHmacOfTheLabelledId()
    {
        var credentials = new TofuBackendCredentials(Key);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Key, "tofu-state-backend:0123456789abcdef"u8))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.Equal(expected, credentials.PasswordFor("0123456789abcdef"));
        Assert.Equal(43, expected.Length);
    }

    [Fact]
    public void EachDeploymentAndPurposeGetsItsOwnSecret()
    {
        var credentials = new TofuBackendCredentials(Key);
        var secrets = new[]
        {
            credentials.PasswordFor("0123456789abcdef"), credentials.PasswordFor("fedcba9876543210"),
            credentials.EncryptionPassphraseFor("0123456789abcdef"), credentials.EncryptionPassphraseFor("fedcba9876543210"),
            new TofuBackendCredentials(RandomNumberGenerator.GetBytes(32)).PasswordFor("0123456789abcdef"),
        };
        Assert.Equal(secrets.Length, secrets.Distinct().Count());
        Assert.All(secrets, s => Assert.True(s.Length >= 16));
    }

    [Fact]
    public void VerifyAcceptsOnlyThisDeploymentsPassword()
    {
        var credentials = new TofuBackendCredentials(Key);
        var password = credentials.PasswordFor("0123456789abcdef");

        Assert.True(credentials.Verify("0123456789abcdef", password));
        Assert.False(credentials.Verify("fedcba9876543210", password));
        Assert.False(credentials.Verify("0123456789abcdef", password[..^1]));
        Assert.False(credentials.Verify("0123456789abcdef", password + "x"));
        Assert.False(credentials.Verify("0123456789abcdef", ""));
        Assert.False(credentials.Verify("0123456789abcdef", null));
    }

    [Fact]
    public void KeyMustBe32Bytes() =>
        Assert.Throws<ArgumentException>(() => new TofuBackendCredentials(new byte[16]));
}

public class VaultKeyTests
{
    static Func<string, string?> From(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => v.Key == key).Value;

    [Fact]
    public void ReadsTheBase64Setting()
    {
        var bytes = RandomNumberGenerator.GetBytes(32);
        var key = VaultKey.Load(From(("CATALYST_VAULT_KEY", Convert.ToBase64String(bytes))));
        Assert.Equal(bytes, key.Bytes.ToArray());
        Assert.DoesNotContain(Convert.ToBase64String(bytes), key.ToString());
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("c2hvcnQ=")]
    public void AMalformedKeyFailsNamingTheSettingWithoutEchoingIt(string value)
    {
        var e = Assert.Throws<SettingException>(() => VaultKey.Load(From(("CATALYST_VAULT_KEY", value))));
        Assert.StartsWith("CATALYST_VAULT_KEY", e.Message);
        Assert.DoesNotContain(value, e.Message);
    }

    [Fact]
    public void IsRequiredOutsideDevelopment()
    {
        using var temp = new TempDir();
        var e = Assert.Throws<SettingException>(() => VaultKey.Load(From(("CATALYST_DATA_DIR", temp.Path), ("DOTNET_ENVIRONMENT", "Production"))));
        Assert.Equal("CATALYST_VAULT_KEY", e.Setting);
        Assert.False(File.Exists(temp.File("vault.key")));
    }

    [Fact]
    public void DevelopmentGeneratesOneOwnerOnlyKeyAndReusesIt()
    {
        using var temp = new TempDir();
        var settings = From(("CATALYST_DATA_DIR", temp.File("data")), ("AZURE_FUNCTIONS_ENVIRONMENT", "Development"));

        var first = VaultKey.Load(settings);
        var second = VaultKey.Load(settings);

        Assert.Equal(first.Bytes.ToArray(), second.Bytes.ToArray());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.File("data/vault.key")));
        Assert.Equal(first.Bytes.ToArray(), Convert.FromBase64String(File.ReadAllText(temp.File("data/vault.key"))));
    }
}
