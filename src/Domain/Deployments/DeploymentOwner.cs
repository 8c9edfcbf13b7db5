using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// Who created a deployment: the signed-in identity's subject and email (issue 14). Null on a record created with
/// authentication off, or before owners were recorded; such a record is visible only to operators in session mode.
/// </summary>
public sealed record DeploymentOwner(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("email")] string Email)
{
    /// <summary>
    /// The record blob's metadata names the owner by hashes (never the email itself: metadata shows up in storage
    /// listings), so the list can be filtered per caller without reading every record.
    /// </summary>
    public const string SubjectMetadata = "ownersub";
    public const string EmailMetadata = "owneremail";

    public static string SubjectKey(string subject) => Hash("sub:" + subject);

    public static string EmailKey(string email) => Hash("email:" + email.Trim().ToLowerInvariant());

    public IDictionary<string, string> Metadata() => new Dictionary<string, string>
    {
        [SubjectMetadata] = SubjectKey(Subject),
        [EmailMetadata] = EmailKey(Email),
    };

    static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>The owner keys a listed record's metadata carries (null when it has none).</summary>
public sealed record OwnerKeys(string? Subject, string? Email);
