using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Dns;

/// <summary>
/// What each deployment published in a pool zone, and a copy of the zone before every rewrite (issue 15). Unpublish
/// used to remove every record at a Sovereign's names, whoever had made them — even for a deployment whose DNS step
/// never ran — so a wipe could delete a name Catalyst never wrote. Now only what this ledger lists is removed.
/// </summary>
public interface IDnsLedger
{
    /// <summary>The records the deployment published (or was about to)
    /// in <paramref name="poolDomain"/>; empty when none.</summary>
    Task<IReadOnlyList<DnsRecord>> PublishedAsync(string deploymentId, string poolDomain,
        CancellationToken cancellationToken);

    /// <summary>Adds records to the deployment's list. Called before they are written, so a crash in between never
    /// leaves a record of ours that the list does not know.</summary>
    Task AddAsync(string deploymentId, string poolDomain, IReadOnlyList<DnsRecord> records,
        CancellationToken cancellationToken);

    /// <summary>Drops records from the deployment's list once they are gone from the zone.</summary>
    Task RemoveAsync(string deploymentId, string poolDomain, IReadOnlyList<DnsRecord> records,
        CancellationToken cancellationToken);

    /// <summary>Keeps a copy of <paramref name="zone"/> as it was
    /// read before a rewrite; returns the blob's name.</summary>
    Task<string> BackupAsync(string poolDomain, DynadotZone zone, string deploymentId,
        CancellationToken cancellationToken);
}

/// <summary>The ledger in blob storage: <c>dns-published/{deploymentId}.json</c> and
/// <c>dns-backups/{pool}/{time}-{id}.json</c>.</summary>
public sealed class BlobDnsLedger(BlobServiceClient blobs, TimeProvider? time = null,
    string publishedContainer = BlobDnsLedger.PublishedContainer,
    string backupContainer = BlobDnsLedger.BackupContainer) : IDnsLedger
{
    public const string PublishedContainer = "dns-published";
    public const string BackupContainer = "dns-backups";

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    const int Rounds = 8;

    readonly TimeProvider clock = time ?? TimeProvider.System;
    readonly BlobContainerClient published = blobs.GetBlobContainerClient(publishedContainer);
    readonly BlobContainerClient backups = blobs.GetBlobContainerClient(backupContainer);

    /// <summary>One blob per deployment; the pool is stored with each
    /// record so a changed request can never widen it.</summary>
    public sealed record Entry(string PoolDomain, string Host, string Type, string Value);

    public async Task<IReadOnlyList<DnsRecord>> PublishedAsync(string deploymentId, string poolDomain,
        CancellationToken cancellationToken)
    {
        var (entries, _) = await ReadAsync(deploymentId, cancellationToken);
        return entries.Where(e => string.Equals(e.PoolDomain, poolDomain, StringComparison.OrdinalIgnoreCase))
            .Select(e => new DnsRecord(e.Host, e.Type, e.Value)).ToList();
    }

    public Task AddAsync(string deploymentId, string poolDomain, IReadOnlyList<DnsRecord> records,
        CancellationToken cancellationToken) =>
        ChangeAsync(deploymentId, entries =>
            entries.Concat(records.Select(r => new Entry(poolDomain, r.Host, r.Type, r.Value))
                .Where(n => !entries.Any(e => Same(e, n)))).ToList(), cancellationToken);

    public Task RemoveAsync(string deploymentId, string poolDomain, IReadOnlyList<DnsRecord> records,
        CancellationToken cancellationToken) =>
        ChangeAsync(deploymentId, entries =>
            entries.Where(e => !records.Any(r => Same(e, new Entry(poolDomain, r.Host, r.Type, r.Value)))).ToList(),
                cancellationToken);

    public async Task<string> BackupAsync(string poolDomain, DynadotZone zone, string deploymentId,
        CancellationToken cancellationToken)
    {
        await backups.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        // Sortable by time; the id says which wipe made it. Never overwritten: each rewrite keeps its own copy.
        var name =
            $"{poolDomain}/{clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss.fffffff'Z'", CultureInfo.InvariantCulture)}" +
            $"-{deploymentId}-{Guid.NewGuid():N}.json";
        await backups.GetBlobClient(name)
            .UploadAsync(BinaryData.FromObjectAsJson(new { poolDomain, deploymentId, zone }, Json),
            new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
            cancellationToken);
        return name;
    }

    static bool Same(Entry a, Entry b) =>
        string.Equals(a.PoolDomain, b.PoolDomain, StringComparison.OrdinalIgnoreCase)
        && new DnsRecord(a.Host, a.Type, a.Value).SameAs(new DnsRecord(b.Host, b.Type, b.Value));

    async Task ChangeAsync(string deploymentId, Func<List<Entry>, List<Entry>> change,
        CancellationToken cancellationToken)
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (entries, etag) = await ReadAsync(deploymentId, cancellationToken);
            var next = change(entries);
            if (next.SequenceEqual(entries)) return;
            var conditions = etag is { } e ? new BlobRequestConditions { IfMatch = e }
                : new BlobRequestConditions { IfNoneMatch = ETag.All };
            try
            {
                await (await BlobAsync(deploymentId)).UploadAsync(BinaryData.FromObjectAsJson(next, Json),
                    new BlobUploadOptions { Conditions = conditions }, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // another writer of the same deployment's list: read again
            }
        }
        throw new InvalidOperationException(
            $"the DNS ledger of {deploymentId} did not settle after {Rounds} conditional writes");
    }

    async Task<(List<Entry> Entries, ETag? ETag)> ReadAsync(string deploymentId, CancellationToken cancellationToken)
    {
        try
        {
            var result = await (await BlobAsync(deploymentId)).DownloadContentAsync(cancellationToken);
            return (result.Value.Content.ToObjectFromJson<List<Entry>>(Json) ?? [], result.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return ([], null);
        }
    }

    async Task<BlobClient> BlobAsync(string deploymentId)
    {
        // Only ids of the shape we issue reach a blob path.
        if (!DeploymentId.IsValid(deploymentId))
            throw new ArgumentException($"\"{deploymentId}\" is not a deployment id", nameof(deploymentId));
        if (createdPublished is null || createdPublished.IsFaulted)
            createdPublished = published.CreateIfNotExistsAsync();
        await createdPublished;
        return published.GetBlobClient($"{deploymentId}.json");
    }

    Task? createdPublished;
}
