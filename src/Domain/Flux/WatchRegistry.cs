using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Catalyst.Domain.Configuration;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Flux;

/// <summary>
/// One deployment in the Phase-1 watch: which run, the settings its gate uses, what the watch has seen so far, and
/// the outcome once there is one. The workflow writes it when the kubeconfig arrives and removes it when the watch
/// ends; whichever replica holds its shard keeps it current. Nothing secret.
/// </summary>
public sealed record WatchEntry
{
    public required string DeploymentId { get; init; }
    public required int Run { get; init; }
    public required WatchSettings Settings { get; init; }
    public required WatchState State { get; init; }
    /// <summary>Set once, by the replica that saw the gate pass (or the
    /// watch fail to start); the workflow's event carries it.</summary>
    public WatchConclusion? Conclusion { get; init; }

    /// <summary>A run's entry as it enters the watch: nothing seen yet.</summary>
    public static WatchEntry Starting(string deploymentId, int run, WatchSettings settings, DateTime startedAt) => new()
    {
        DeploymentId = deploymentId, Run = run, Settings = settings, State = new WatchState { StartedAt = startedAt },
    };
}

/// <summary>How a watch ended (reference B.7 outcomes) and the
/// run it belongs to: the event the workflow waits for.</summary>
public sealed record WatchConclusion(int Run, string Outcome, string Status, string? Error);

/// <summary>An entry as read, with the ETag a conditional replace needs.</summary>
public sealed record StoredWatchEntry(WatchEntry Entry, ETag ETag);

/// <summary>
/// Phase-1 watch settings of the replicas (not of a deployment): how the watch's work is shared. Deployments are spread
/// over <see cref="Shards"/> shards; a replica watches the deployments of the shards whose lease it holds, so exactly
/// one replica watches each Sovereign, and a dead replica's shards pass to another one lease later.
/// </summary>
public sealed record WatchSharing(int Shards, TimeSpan Lease, TimeSpan ScanInterval)
{
    public static WatchSharing From(Func<string, string?> read)
    {
        var lease = Configuration.Settings.Duration(read, "CATALYST_PHASE1_WATCH_LEASE", TimeSpan.FromSeconds(30));
        // Blob leases last 15 to 60 s.
        if (lease < TimeSpan.FromSeconds(15) || lease > TimeSpan.FromSeconds(60))
            throw new SettingException("CATALYST_PHASE1_WATCH_LEASE",
                "must be between 15s and 60s (a blob lease's range)");
        var scan = Configuration.Settings.Duration(read, "CATALYST_PHASE1_WATCH_SCAN_INTERVAL",
            TimeSpan.FromSeconds(2));
        if (scan < TimeSpan.FromMilliseconds(100) || scan >= lease)
            throw new SettingException("CATALYST_PHASE1_WATCH_SCAN_INTERVAL",
                "must be at least 100ms and shorter than CATALYST_PHASE1_WATCH_LEASE");
        return new(Configuration.Settings.Int(read, "CATALYST_PHASE1_WATCH_SHARDS", 16, 1, 256), lease, scan);
    }
}

/// <summary>
/// Where the Phase-1 watch keeps its entries and shard leases: blob container <c>phase1-watch</c>, entries under
/// <c>{hub}/entries/{shard}/{id}.json</c> (so a replica lists only its shards), leases on <c>{hub}/shards/{shard}</c>.
/// Per task hub: the replicas sharing a hub share the watch; another Catalyst on the same storage account (another
/// hub) never takes its shards.
/// </summary>
public sealed class WatchRegistry(BlobServiceClient blobs, int shards, string taskHub = "catalyst")
{
    readonly string prefix = taskHub.ToLowerInvariant() + "/";

    public const string ContainerName = "phase1-watch";

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    readonly BlobContainerClient container = blobs.GetBlobContainerClient(ContainerName);
    volatile bool created;

    public int Shards { get; } = shards;

    /// <summary>A stable shard for an id (the same on every replica and every start).</summary>
    public int ShardOf(string deploymentId) =>
        (int)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(deploymentId)), 0) % (uint)Shards);

    BlobClient EntryBlob(string deploymentId)
    {
        if (!DeploymentId.IsValid(deploymentId))
            throw new ArgumentException($"not a deployment id: {deploymentId}", nameof(deploymentId));
        return container.GetBlobClient($"{prefix}entries/{ShardOf(deploymentId):D3}/{deploymentId}.json");
    }

    async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (created) return;
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        created = true;
    }

    /// <summary>
    /// Puts the deployment in the watch for <paramref name="entry"/>'s run. An entry of the same or a later run stays
    /// as it is (a replayed or retried registration changes nothing); an earlier run's entry is replaced.
    /// </summary>
    public async Task<WatchEntry> RegisterAsync(WatchEntry entry, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken);
        var blob = EntryBlob(entry.DeploymentId);
        var firstTry = true;
        while (true)
        {
            // Usually there is no entry yet: write first, and read only when one is there (a round trip less on the
            // path from the postback to the first component state).
            var existing = firstTry ? null : await GetAsync(entry.DeploymentId, cancellationToken);
            firstTry = false;
            if (existing is not null && existing.Entry.Run >= entry.Run) return existing.Entry;
            try
            {
                await blob.UploadAsync(BinaryData.FromObjectAsJson(entry, Json), new BlobUploadOptions
                {
                    Conditions = existing is null ? new BlobRequestConditions { IfNoneMatch = ETag.All }
                        : new BlobRequestConditions { IfMatch = existing.ETag },
                }, cancellationToken);
                return entry;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Another writer came first: look again.
            }
        }
    }

    public async Task<StoredWatchEntry?> GetAsync(string deploymentId, CancellationToken cancellationToken)
    {
        try
        {
            var content = await EntryBlob(deploymentId).DownloadContentAsync(cancellationToken);
            var entry = content.Value.Content.ToObjectFromJson<WatchEntry>(Json);
            return entry is null ? null : new StoredWatchEntry(entry, content.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Replaces the entry if nobody wrote it since <paramref name="etag"/>; false (and nothing written)
    /// otherwise or when it is gone.</summary>
    public async Task<ETag?> TryReplaceAsync(WatchEntry entry, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            var written = await EntryBlob(entry.DeploymentId).UploadAsync(BinaryData.FromObjectAsJson(entry, Json),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = etag } }, cancellationToken);
            return written.Value.ETag;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            return null;
        }
    }

    /// <summary>Takes the deployment out of the watch, unless a later run's entry has replaced this run's.</summary>
    public async Task RemoveAsync(string deploymentId, int run, CancellationToken cancellationToken)
    {
        while (await GetAsync(deploymentId, cancellationToken) is { } stored)
        {
            if (stored.Entry.Run > run) return;
            try
            {
                await EntryBlob(deploymentId)
                    .DeleteAsync(conditions: new BlobRequestConditions { IfMatch = stored.ETag },
                        cancellationToken: cancellationToken);
                return;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Gone already, or rewritten since: look again.
            }
        }
    }

    /// <summary>The deployments in one shard's part of the watch.</summary>
    public async Task<IReadOnlyList<string>> ListShardAsync(int shard, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken);
        var ids = new List<string>();
        var entries = $"{prefix}entries/{shard:D3}/";
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, entries,
            cancellationToken))
        {
            var id = item.Name[entries.Length..];
            if (id.EndsWith(".json", StringComparison.Ordinal) && DeploymentId.IsValid(id[..^5])) ids.Add(id[..^5]);
        }
        return ids;
    }

    /// <summary>The lease on one shard, held under <paramref name="leaseId"/> (one id per replica process).</summary>
    public async Task<BlobLeaseClient> ShardLeaseAsync(int shard, string leaseId, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken);
        var blob = container.GetBlobClient($"{prefix}shards/{shard:D3}");
        try
        {
            await blob.UploadAsync(BinaryData.FromString(""),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // It exists (perhaps leased by another replica).
        }
        return blob.GetBlobLeaseClient(leaseId);
    }
}
