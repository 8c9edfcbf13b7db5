using System.Security.Cryptography;

namespace Catalyst.Domain.Deployments;

/// <summary>Deployment ids: 16 lower-case hex characters from 8
/// random bytes, as the original (reference B.2 #5).</summary>
public static class DeploymentId
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>Only ids of the shape we mint: nothing else reaches a blob name, a path or an instance id.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: 16 } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
