using System.Text.RegularExpressions;
using Catalyst.Testing;
using k8s.Models;

namespace Catalyst.Deploy.Tests;

/// <summary>
/// No secret value is written in a manifest: secret-looking settings come from Secrets by reference, ConfigMaps hold no
/// secret-looking keys, and the only Secret with content is the Azurite overlay's, holding Azurite's public dev key.
/// </summary>
public sealed partial class SecretHygieneTests
{
    /// <summary>
    /// Azurite's well-known development account key: published by Microsoft, the same in every Azurite, and not a
    /// secret. Allowed only in the Azurite overlay's catalyst-storage Secret.
    /// </summary>
    public const string AzuriteDevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>A name that says "secret": tokens, secrets, keys, passwords, connection strings.</summary>
    [GeneratedRegex("(TOKEN|SECRET|KEY|PASS|PWD|CREDENTIAL|CONNECTION|AzureWebJobsStorage)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLookingName();

    /// <summary>Names of where a secret is, not what it is: a file path or directory may be written out.</summary>
    [GeneratedRegex("_(PATH|FILE|DIR)$")]
    private static partial Regex LocationName();

    static bool LooksSecret(string name) => SecretLookingName().IsMatch(name) && !LocationName().IsMatch(name);

    [Fact]
    public void TheNamePatternCatchesTheSettingsItMust()
    {
        Assert.All(new[] { "CATALYST_HARBOR_ROBOT_TOKEN", "DYNADOT_API_SECRET", "DYNADOT_API_KEY", "CATALYST_SMTP_PASS", "AzureWebJobsStorage", "CATALYST_VAULT_KEY", "DB_CONNECTION_STRING" },
            n => Assert.True(LooksSecret(n), n));
        Assert.All(new[] { "CATALYST_HANDOVER_JWT_PUBLIC_KEY_PATH", "PORT", "CATALYST_SMTP_HOST", "CORS_ORIGIN" }, n => Assert.False(LooksSecret(n), n));
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void SecretLookingSettingsComeFromSecretsOnly(string overlay)
    {
        var written = Manifests.Of(overlay).AppEnvironment().Values
            .Where(s => LooksSecret(s.Name) && s.Origin != EnvOrigin.SecretKey)
            .Select(s => $"{s.Name} ({s.Origin}{(s.SourceName is null ? "" : " " + s.SourceName)})")
            .ToList();
        Assert.True(written.Count == 0, $"{overlay}: secret-looking settings not read from a Secret: {string.Join(", ", written)}");
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void ConfigMapsHoldNoSecrets(string overlay)
    {
        foreach (var map in Manifests.Of(overlay).All<V1ConfigMap>())
        {
            foreach (var (key, value) in map.Data ?? new Dictionary<string, string>())
            {
                Assert.False(LooksSecret(key), $"{overlay}: ConfigMap {map.Metadata.Name} has {key}: secrets go to a Secret");
                Assert.False(LooksLikeCredential(value), $"{overlay}: ConfigMap {map.Metadata.Name} key {key} holds a credential");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void NoSecretHasContentExceptAzuritesPublicDevKey(string overlay)
    {
        foreach (var secret in Manifests.Of(overlay).All<V1Secret>())
        {
            var keys = (secret.Data?.Keys ?? []).Concat(secret.StringData?.Keys ?? []).ToList();
            if (keys.Count == 0) continue;
            var isAzuriteDevStorage = overlay == "azurite" && secret.Metadata.Name == "catalyst-storage" && keys.SequenceEqual(["connection-string"]);
            Assert.True(isAzuriteDevStorage, $"{overlay}: Secret {secret.Metadata.Name} carries values ({string.Join(", ", keys)}); Secrets are created by the operator, never committed");
            var connection = Manifests.DecodeSecretValue(secret, "connection-string");
            Assert.Equal(AzuriteDevAccountKey, StorageConnectionString.Parse(connection)["AccountKey"]);
        }
    }

    /// <summary>Credentials by shape: storage account keys, SAS tokens, private keys, GitHub and GitLab tokens.</summary>
    [GeneratedRegex(@"AccountKey=(?<key>[A-Za-z0-9+/=]{20,})|SharedAccessSignature=|sig=[A-Za-z0-9%]{20,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|\bgh[pousr]_[A-Za-z0-9]{20,}|\bglpat-[A-Za-z0-9_-]{20,}")]
    private static partial Regex Credential();

    static bool LooksLikeCredential(string text) =>
        Credential().Matches(text).Any(m => m.Groups["key"].Value != AzuriteDevAccountKey);

    [Fact]
    public void NoFileUnderDeployHoldsACredential()
    {
        // Comments and examples included: a real key pasted into a comment is as public as one in a field.
        var files = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "deploy"), "*", SearchOption.AllDirectories)
            .Append(Path.Combine(RepoPaths.Root, ".dockerignore"));
        foreach (var file in files)
            Assert.False(LooksLikeCredential(File.ReadAllText(file)), $"{file} holds something shaped like a credential");
    }

    [Fact]
    public void TheCredentialPatternFindsWhatItMust()
    {
        Assert.True(LooksLikeCredential("AccountName=prod;AccountKey=c29tZS1yZWFsLWxvb2tpbmcta2V5LXRoYXQtaXMtbG9uZw==;"));
        Assert.True(LooksLikeCredential("-----BEGIN RSA PRIVATE KEY-----"));
        Assert.False(LooksLikeCredential($"AccountKey={AzuriteDevAccountKey};"));
    }
}
