using System.Security.Cryptography;
using System.Text;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// Per-deployment credentials for the tofu state backend and the state-encryption passphrase, derived from a key
/// (HMAC-SHA256) instead of stored: any replica can check them, and none ever enters orchestration history.
/// </summary>
public sealed class TofuBackendCredentials(byte[] key)
{
    public string Username(string deploymentId) => deploymentId;

    public string PasswordFor(string deploymentId) => Derive("tofu-state-backend:" + deploymentId);

    public string EncryptionPassphraseFor(string deploymentId) => Derive("tofu-state-encryption:" + deploymentId);

    public bool Verify(string deploymentId, string presentedPassword) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(PasswordFor(deploymentId)), Encoding.ASCII.GetBytes(presentedPassword));

    string Derive(string label) => Base64Url(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(label)));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
