using System.Security.Cryptography;

namespace Catalyst.Domain.Auth;

/// <summary>
/// The original's <c>LoadOrGenerate</c> (E.1): the key file is loaded when it exists; when it does not, an RSA-2048 key
/// is generated and written as PKCS#1 PEM (0600) with the public JWK beside it (0644), the folder created 0700. Both
/// files appear atomically (written under a temporary name, then linked into place without overwriting), so two
/// processes starting together on one volume end up with the same key: the second finds the first one's file and loads
/// it.
/// </summary>
public static class SignerKeyFile
{
    const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The key and whether this call generated it. Read errors other than "not found" are thrown.</summary>
    public static (RSA Key, bool Generated) LoadOrGenerate(string keyPath, string publicJwkPath)
    {
        if (TryRead(keyPath) is { } existing) return (RsaKeys.ParsePrivatePem(existing), false);

        var folder = Path.GetDirectoryName(Path.GetFullPath(keyPath))!;
        if (!Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
            else Directory.CreateDirectory(folder, Folder);
        }
        using var fresh = RSA.Create(RsaKeys.MinimumBits);
        if (!WriteIfAbsent(keyPath, fresh.ExportRSAPrivateKeyPem(), Private))
            return (RsaKeys.ParsePrivatePem(File.ReadAllText(keyPath)), false); // another process won the race
        WriteIfAbsent(publicJwkPath, RsaKeys.PublicJwk(fresh), Public);
        return (RSA.Create(fresh.ExportParameters(includePrivateParameters: true)), true);
    }

    static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>False when the file already exists (it is left alone).</summary>
    static bool WriteIfAbsent(string path, string content, UnixFileMode mode)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = mode;
            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(content);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            // The create mode is filtered by the umask; set it exactly.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, mode);
            try
            {
                File.Move(temp, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
