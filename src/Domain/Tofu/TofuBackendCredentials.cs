using System.Security.Cryptography;
using System.Text;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// Per-deployment secrets of the tofu state backend, derived from the app's key instead of stored: any replica
/// can compute them, nothing lands in orchestration history (DESIGN §4), and one deployment's password opens
/// no other deployment's state. Username = deployment id; password and encryption passphrase are HMACs of it.
/// </summary>
public sealed class TofuBackendCredentials
{
    const string PasswordLabel = "tofu-state-backend:";
    const string PassphraseLabel = "tofu-state-encryption:";

    readonly byte[] key;

    public TofuBackendCredentials(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32) throw new ArgumentException($"the key must be 32 bytes, not {key.Length}", nameof(key));
        this.key = key.ToArray();
    }

    public string PasswordFor(string deploymentId) => Derive(PasswordLabel, deploymentId);

    /// <summary>Feeds OpenTofu's pbkdf2 key provider (at least 16 characters; this is 43).</summary>
    public string EncryptionPassphraseFor(string deploymentId) => Derive(PassphraseLabel, deploymentId);

    /// <summary>Constant-time comparison, so response timing does not reveal how much of a guess was right.</summary>
    public bool Verify(string deploymentId, string? presentedPassword)
    {
        if (presentedPassword is null) return false;
        return CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(PasswordFor(deploymentId)),
            Encoding.UTF8.GetBytes(presentedPassword));
    }

    /// <summary>The backend of one deployment as tofu sees it, on the app at <paramref name="baseUrl"/>.</summary>
    public TofuBackend BackendFor(string deploymentId, string baseUrl)
    {
        var state = $"{baseUrl.TrimEnd('/')}/api/v1/tofu/state/{Uri.EscapeDataString(deploymentId)}";
        return new TofuBackend(state, state + "/lock", deploymentId, PasswordFor(deploymentId),
            EncryptionPassphraseFor(deploymentId));
    }

    string Derive(string label, string deploymentId)
    {
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(label + deploymentId));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
