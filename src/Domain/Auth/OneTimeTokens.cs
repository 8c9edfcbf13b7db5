using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Catalyst.Domain.Auth;

/// <summary>
/// One-time token ids (the original's jtistore, E.6), as one blob per used id in a container (DESIGN §6). Marking is a
/// create-if-absent upload, so it is atomic across replicas and survives restarts: exactly one caller ever sees
/// "first use". Blob names are the SHA-256 of the id, so any id is a safe name. Like the original, nothing expires.
/// </summary>
public sealed class OneTimeTokens(BlobServiceClient blobs, string containerName)
{
    public const string HandoverContainer = "jti";
    public const string MagicLinkContainer = "magic-jti";

    readonly BlobContainerClient container = blobs.GetBlobContainerClient(containerName);
    volatile bool created;

    /// <summary>True the first time an id is marked, false on every later call. Storage failures throw.</summary>
    public async Task<bool> MarkAsync(string jti, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(jti)) throw new ArgumentException("empty jti", nameof(jti));
        if (!created)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            created = true;
        }
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(jti)));
        try
        {
            await container.GetBlobClient(name).UploadAsync(BinaryData.Empty, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                Metadata = new Dictionary<string, string> { ["usedAt"] = DateTimeOffset.UtcNow.ToString("O") },
            }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }
}
