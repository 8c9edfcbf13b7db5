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
/// Keys are stored hashed; a key reused with a different body is refused rather than silently answered. A claim whose
/// request died before it wrote the record is taken over by a retry (<see cref="TakeOverAsync"/>), so a client that
/// retries after a crash gets its deployment instead of "in progress" for ever.
/// </summary>
public sealed class IdempotencyKeys(BlobServiceClient blobs)
{
    public const string ContainerName = "idempotency";

    /// <summary>A POST writes its record within a second of claiming;
    /// a claim this old with no record was abandoned.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromSeconds(30);

    readonly BlobContainerClient container = blobs.GetBlobContainerClient(ContainerName);
    bool created;

    public sealed record Claim(string DeploymentId, string BodyHash, DateTimeOffset ClaimedAt = default);

    static DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <summary>Claims <paramref name="key"/> for <paramref name="deploymentId"/>;
    /// returns the earlier claim when there is one.</summary>
    public async Task<Claim?> ClaimAsync(string key, string deploymentId, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default)
    {
        if (!created)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            created = true;
        }
        var blob = Blob(key);
        var mine = new Claim(deploymentId, Hex(body.Span), Now);
        try
        {
            await blob.UploadAsync(BinaryData.FromObjectAsJson(mine),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
            return null;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            var existing = await blob.DownloadContentAsync(cancellationToken);
            return JsonSerializer.Deserialize<Claim>(existing.Value.Content.ToMemory().Span);
        }
    }

    /// <summary>
    /// Takes over an abandoned claim for its own deployment id: true for exactly one caller once the claim is older
    /// than <see cref="AbandonedAfter"/> (the claim is re-stamped, so the next taker waits again); false while it is
    /// younger.
    /// </summary>
    public async Task<bool> TakeOverAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = Blob(key);
        var current = await blob.DownloadContentAsync(cancellationToken);
        var claim = JsonSerializer.Deserialize<Claim>(current.Value.Content.ToMemory().Span)!;
        if (Now - claim.ClaimedAt < AbandonedAfter) return false;
        try
        {
            await blob.UploadAsync(BinaryData.FromObjectAsJson(claim with { ClaimedAt = Now }),
                new BlobUploadOptions { Conditions =
                    new BlobRequestConditions { IfMatch = current.Value.Details.ETag } }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false; // another retry took it over first
        }
    }

    /// <summary>Forgets <paramref name="key"/> when its claim is <paramref name="deploymentId"/>'s: a request refused
    /// after claiming stored nothing else, so a retry with the same key is decided afresh.</summary>
    public async Task ReleaseAsync(string key, string deploymentId, CancellationToken cancellationToken = default)
    {
        var blob = Blob(key);
        try
        {
            var current = await blob.DownloadContentAsync(cancellationToken);
            if (JsonSerializer.Deserialize<Claim>(current.Value.Content.ToMemory().Span)?.DeploymentId != deploymentId)
                return;
            await blob.DeleteAsync(conditions: new BlobRequestConditions { IfMatch = current.Value.Details.ETag },
                cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // gone already, or changed by a takeover: theirs now
        }
    }

    BlobClient Blob(string key) => container.GetBlobClient(Hex(Encoding.UTF8.GetBytes(key)));

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
