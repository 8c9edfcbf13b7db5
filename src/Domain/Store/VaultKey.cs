using System.Security.Cryptography;
using Catalyst.Domain.Configuration;
using Microsoft.Extensions.Logging;

namespace Catalyst.Domain.Store;

/// <summary>
/// The app's 32-byte master key (DESIGN §4): it encrypts the vault and derives per-deployment secrets such as
/// the tofu state backend's credentials. Required in production (<c>CATALYST_VAULT_KEY</c>, base64); in
/// development it is generated once into the local data folder, with a warning, so a laptop run works and a
/// restart can still read what it wrote. Never printed: <see cref="ToString"/> says so.
/// </summary>
public sealed class VaultKey
{
    public const string SettingName = "CATALYST_VAULT_KEY";
    public const string DataDirectorySetting = "CATALYST_DATA_DIR";
    public const int Length = 32;
    public const string FileName = "vault.key";

    // The names the Functions host, the generic host and ASP.NET Core read the environment from, in that order.
    static readonly string[] EnvironmentSettings = ["AZURE_FUNCTIONS_ENVIRONMENT", "DOTNET_ENVIRONMENT",
        "ASPNETCORE_ENVIRONMENT"];

    readonly byte[] key;

    VaultKey(byte[] key) => this.key = key;

    public ReadOnlySpan<byte> Bytes => key;

    public static VaultKey FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Length ? new VaultKey(bytes.ToArray())
            : throw new ArgumentException($"a vault key is {Length} bytes, not {bytes.Length}", nameof(bytes));

    public static VaultKey Load(Func<string, string?> settings, ILogger? log = null)
    {
        if (Settings.Text(settings, SettingName) is { } text)
            return new VaultKey(Decode(text, SettingName));
        if (!IsDevelopment(settings))
            throw new SettingException(SettingName,
                $"is required outside development (base64 of {Length} random bytes, e.g. " +
                $"`openssl rand -base64 {Length}`); " +
                "with DOTNET_ENVIRONMENT=Development one is generated under CATALYST_DATA_DIR");
        return LoadOrCreateDevelopmentKey(settings, log);
    }

    public static bool IsDevelopment(Func<string, string?> settings) =>
        EnvironmentSettings.Select(name => Settings.Text(settings, name))
            .FirstOrDefault(v => v is not null) is { } environment
        && environment.Equals("Development", StringComparison.OrdinalIgnoreCase);

    static VaultKey LoadOrCreateDevelopmentKey(Func<string, string?> settings, ILogger? log)
    {
        var directory = Settings.Text(settings, DataDirectorySetting)
            ?? Path.Combine(Directory.GetCurrentDirectory(), ".data");
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
            else
            {
                Directory.CreateDirectory(directory,
                    UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            try
            {
                // CreateNew: two processes starting together must not each write a different key.
                using var file = new FileStream(path, options);
                using var writer = new StreamWriter(file);
                writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(Length)));
                log?.LogWarning(
                    "{Setting} is not set: generated a development vault key at {Path}. Set {Setting} in production.",
                    SettingName, path, SettingName);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process won the race; read its key below.
            }
        }
        else
        {
            log?.LogWarning("{Setting} is not set: using the development vault key at {Path}.", SettingName, path);
        }
        return new VaultKey(Decode(File.ReadAllText(path), $"{SettingName} (development key file {path})"));
    }

    static byte[] Decode(string text, string source)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            // The message never echoes the value.
            throw new SettingException(source,
                $"is not base64 (expected {Length} random bytes, e.g. `openssl rand -base64 {Length}`)");
        }
        return bytes.Length == Length
            ? bytes
            : throw new SettingException(source, $"decodes to {bytes.Length} bytes; it must be {Length}");
    }

    public override string ToString() => "VaultKey(redacted)";
}
