using System.Security.Cryptography;
using Catalyst.Domain.Configuration;
using Microsoft.Extensions.Logging;

namespace Catalyst.Domain.Store;

/// <summary>
/// The 32-byte key behind the vault and every key derived from it. Production sets <c>CATALYST_VAULT_KEY</c>
/// (base64); without it, development generates one once into the local data folder and says so loudly —
/// losing that file makes every stored secret unreadable.
/// </summary>
public static class VaultKey
{
    public const string Setting = "CATALYST_VAULT_KEY";

    public static byte[] Load(Func<string, string?> settings, ILogger? log = null)
    {
        if (Settings.Text(settings, Setting) is { } text)
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                throw new SettingException(Setting, "is not base64 (generate one with: openssl rand -base64 32)");
            }
            return key.Length == 32 ? key : throw new SettingException(Setting, $"decodes to {key.Length} bytes; it must be 32");
        }

        if (IsProduction(settings))
            throw new SettingException(Setting, "is required in production (generate one with: openssl rand -base64 32)");
        var folder = Settings.Text(settings, "CATALYST_DATA_DIR", Path.Combine(Directory.GetCurrentDirectory(), ".data"));
        var path = Path.Combine(folder, "vault.key");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(folder);
            var fresh = RandomNumberGenerator.GetBytes(32);
            File.WriteAllText(path, Convert.ToBase64String(fresh));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            log?.LogWarning("{Setting} is not set: generated a development vault key at {Path}. Set {Setting} in production.", Setting, path, Setting);
        }
        return Convert.FromBase64String(File.ReadAllText(path).Trim());
    }

    /// <summary>HKDF sub-key for one purpose, so the vault key itself never signs or derives anything else directly.</summary>
    public static byte[] Derive(byte[] key, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, info: System.Text.Encoding.UTF8.GetBytes(purpose));

    static bool IsProduction(Func<string, string?> settings)
    {
        var environment = settings("AZURE_FUNCTIONS_ENVIRONMENT") ?? settings("ASPNETCORE_ENVIRONMENT") ?? settings("DOTNET_ENVIRONMENT") ?? "Production";
        return environment.Equals("Production", StringComparison.OrdinalIgnoreCase) && settings("CATALYST_DEVELOPMENT") is not ("true" or "1");
    }
}
