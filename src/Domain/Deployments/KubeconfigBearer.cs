using System.Security.Cryptography;
using System.Text;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// The single-use token a new Sovereign's cloud-init presents when it PUTs its kubeconfig (reference B.2 #6,
/// A.13): 32 random bytes as 64 hex characters. The plaintext lives only in the vault and the server's
/// user_data; the record keeps its SHA-256 hex.
/// </summary>
public static class KubeconfigBearer
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string bearer) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(bearer)));

    /// <summary>Constant-time comparison of the presented bearer's hash with the stored hash.</summary>
    public static bool Matches(string storedHash, string presentedBearer) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(storedHash),
            Encoding.ASCII.GetBytes(Hash(presentedBearer)));
}
