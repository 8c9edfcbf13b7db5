using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Catalyst.Domain.Store;

/// <summary>
/// Idempotency-Key support for POST /api/v1/deployments: the first request with a key claims it (create-if-absent,
/// so exactly one of two racing requests wins on any replica); later ones get the first deployment back.
/// Keys are stored hashed; a key reused with a different body is refused rather than silently answered.
/// </summary>
public sealed class IdempotencyKeys(BlobServiceClient blobs)
{
    public const string ContainerName = "idempotency";
    readonly BlobContainerClient container = blobs.GetBlobContainerClient(ContainerName);
    bool created;

    public sealed record Claim(string DeploymentId, string BodyHash);

    /// <summary>Claims <paramref name="key"/> for <paramref name="deploymentId"/>; returns the earlier claim when there is one.</summary>
    public async Task<Claim?> ClaimAsync(string key, string deploymentId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        if (!created)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            created = true;
        }
        var blob = container.GetBlobClient(Hex(Encoding.UTF8.GetBytes(key)));
        var mine = new Claim(deploymentId, Hex(body.Span));
        try
        {
            await blob.UploadAsync(BinaryData.FromObjectAsJson(mine), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            return null;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            var existing = await blob.DownloadContentAsync(cancellationToken);
            return JsonSerializer.Deserialize<Claim>(existing.Value.Content.ToMemory().Span);
        }
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
