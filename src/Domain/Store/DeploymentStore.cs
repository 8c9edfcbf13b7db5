using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Store;

/// <summary>
/// Deployment records as blobs <c>deployments/{id}.json</c> (DESIGN §6). Every write is guarded by the ETag it
/// read, so two replicas updating one record never lose each other's change; a record that does not parse is
/// reported and skipped, never allowed to hide the others. Blobs, not the seed's PVC directory
/// (CATALYST_DEPLOYMENTS_DIR): a record outlives every pod roll (the seed's id that vanished after 6 image rolls).
/// </summary>
public sealed class DeploymentStore(BlobServiceClient blobs, TimeProvider? cacheClock = null)
{
    public const string ContainerName = "deployments";
    static readonly JsonSerializerOptions Json =
        new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    readonly BlobContainerClient container = blobs.GetBlobContainerClient(ContainerName);
    // Recently read or written records, for readers that accept a second of staleness (GET and list under load):
    // Azurite or a storage account answers every read otherwise. Writes through this store refresh it at once.
    readonly System.Collections.Concurrent.ConcurrentDictionary<
        string, (DeploymentRecord Record, ETag ETag, DateTimeOffset At)> recent = new();
    bool created;

    /// <summary>Writes a new record; false when one with that id exists already.</summary>
    public async Task<bool> CreateAsync(DeploymentRecord record, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken);
        try
        {
            var written = await Blob(record.Id)
                .UploadAsync(Serialize(record),
                    new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                        Metadata = record.Owner?.Metadata() }, cancellationToken);
            Remember(record, written.Value.ETag);
            listing = null; // this process lists its own new deployment at once
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    public async Task<DeploymentRecord?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        (await GetWithETagAsync(id, cancellationToken))?.Record;

    /// <summary>
    /// The record as read or written by this process at most <paramref name="maxAge"/> ago; a little older (up to three
    /// times that) it is still the answer while one background read refreshes it; older, or unknown, fresh from
    /// storage. So a reader never waits for a busy store behind a record it has just seen. For read endpoints only: a
    /// rule that decides something reads <see cref="GetAsync"/>.
    /// </summary>
    public async Task<DeploymentRecord?> GetRecentAsync(string id, TimeSpan maxAge,
        CancellationToken cancellationToken = default)
    {
        if (recent.TryGetValue(id, out var hit))
        {
            var age = Now - hit.At;
            if (age <= maxAge) return hit.Record;
            if (age <= maxAge * 3)
            {
                if (ManyCached) ListInBackground();
                else RefreshInBackground(id);
                return hit.Record;
            }
        }
        return await GetAsync(id, cancellationToken);
    }

    /// <summary>
    /// This process holds copies of enough records that one listing of the container (ETags of up to 5 000 records a
    /// page) is cheaper than a conditional read of each: with 1 000 deployments in the watch and 50 status clients
    /// those reads were about 1 000 a second, the storage emulator's whole capacity, and GET p99 went past 250 ms
    /// (issue 16).
    /// </summary>
    bool ManyCached => ListingPaysOff(recent.Count, lastListed);

    /// <summary>From how many cached copies on a listing vouches for them.</summary>
    public const int ListingVouchesFrom = 64;

    /// <summary>
    /// Whether one listing of a container is cheaper than a read of each of <paramref name="cached"/> copies: from
    /// <see cref="ListingVouchesFrom"/> on, while they are at least a tenth of what the last listing found (0 before
    /// the first). The rule for records here and for timelines (<see cref="EventLog"/>).
    /// </summary>
    public static bool ListingPaysOff(int cached, int lastListed) =>
        cached >= ListingVouchesFrom && cached * 10 >= lastListed;

    /// <summary>How many records the last listing found.</summary>
    volatile int lastListed;

    /// <summary>A listing gives an ETag bare (<c>0x8D…</c>), a read's header quoted (<c>"0x8D…"</c>); the same
    /// version either way.</summary>
    static bool SameETag(ETag a, ETag b) => a.ToString().Trim('"') == b.ToString().Trim('"');

    int listingInBackground;
    Task listedInBackground = Task.CompletedTask;

    /// <summary>How many records this process has read again in the background (for tests: a listing that vouches for
    /// a copy spares its read).</summary>
    public int ReadsInBackground => Volatile.Read(ref readsInBackground);
    int readsInBackground;

    /// <summary>For tests: completes when no background listing is running.</summary>
    public Task ListedAsync() => listedInBackground;

    /// <summary>One background listing at a time: a copy whose ETag the listing shows is current as of the listing's
    /// start; one it shows changed is read again in the background, one it no longer shows is forgotten.</summary>
    void ListInBackground()
    {
        if (Interlocked.Exchange(ref listingInBackground, 1) == 1) return;
        listedInBackground = Task.Run(async () =>
        {
            try
            {
                listing = null;
                var listed = await ListingAsync(CancellationToken.None);
                foreach (var (id, copy) in recent)
                {
                    if (copy.At >= listed.At) continue; // written or read since the listing started
                    if (!listed.ETags.TryGetValue(id, out var etag)) recent.TryRemove(id, out _);
                    else if (SameETag(etag, copy.ETag)) recent.TryUpdate(id, copy with { At = listed.At }, copy);
                    else RefreshInBackground(id);
                }
            }
            catch (Exception e) when (e is RequestFailedException or IOException or OperationCanceledException)
            {
                // The copies age as they are; past three times their freshness readers read through.
            }
            finally
            {
                Volatile.Write(ref listingInBackground, 0);
            }
        });
    }

    readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> refreshing = new();

    /// <summary>The clock of the read caches only (tests move it); record timestamps are wall-clock time.</summary>
    DateTimeOffset Now => (cacheClock ?? TimeProvider.System).GetUtcNow();

    void RefreshInBackground(string id)
    {
        var gate = new TaskCompletionSource();
        if (!refreshing.TryAdd(id, gate.Task)) return;
        Interlocked.Increment(ref readsInBackground);
        _ = Task.Run(async () =>
        {
            try
            {
                if (await UnchangedAsync(id)) return;
                if (await GetWithETagAsync(id, CancellationToken.None) is null) recent.TryRemove(id, out _);
            }
            catch (Exception e)
                when (e is RequestFailedException or CorruptRecordException or IOException
                    or OperationCanceledException)
            {
                // Forget it: the next reader reads through and meets the error itself.
                recent.TryRemove(id, out _);
            }
            finally
            {
                refreshing.TryRemove(id, out _);
                gate.SetResult();
            }
        });
    }

    /// <summary>A conditional read: when the blob still has the ETag we
    /// hold, storage answers 304 with no body to send or parse.</summary>
    async Task<bool> UnchangedAsync(string id)
    {
        if (!recent.TryGetValue(id, out var known)) return false;
        try
        {
            await Blob(id).GetPropertiesAsync(new BlobRequestConditions { IfNoneMatch = known.ETag });
            return false;
        }
        catch (RequestFailedException e) when (e.Status == 304)
        {
            recent.TryUpdate(id, known with { At = Now }, known);
            return true;
        }
    }

    /// <summary>For tests: completes when no background refresh of <paramref name="id"/> is running.</summary>
    public Task RefreshedAsync(string id) => refreshing.TryGetValue(id, out var running) ? running : Task.CompletedTask;

    void Remember(DeploymentRecord record, ETag etag)
    {
        if (recent.Count > 10_000) recent.Clear();
        recent[record.Id] = (record, etag, Now);
    }

    async Task<(DeploymentRecord Record, ETag ETag)?> GetWithETagAsync(string id, CancellationToken cancellationToken)
    {
        if (!DeploymentId.IsValid(id)) return null;
        try
        {
            var download = await Blob(id).DownloadContentAsync(cancellationToken);
            var record = JsonSerializer.Deserialize<DeploymentRecord>(download.Value.Content.ToMemory().Span, Json)
                         ?? throw new CorruptRecordException(id, "empty document");
            Remember(record, download.Value.Details.ETag);
            return (record, download.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new CorruptRecordException(id, e.Message);
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current record and writes it if nobody wrote in between, re-reading and
    /// re-applying otherwise. <paramref name="change"/> returns null to leave the record as it is. Null when no record.
    /// </summary>
    public async Task<DeploymentRecord?> UpdateAsync(string id, Func<DeploymentRecord, DeploymentRecord?> change,
        CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await GetWithETagAsync(id, cancellationToken) is not { } current) return null;
            var updated = change(current.Record);
            if (updated is null || updated == current.Record) return current.Record;
            updated = updated with { UpdatedAt = DateTimeOffset.UtcNow };
            try
            {
                var written = await Blob(id)
                    .UploadAsync(Serialize(updated),
                        new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = current.ETag },
                            Metadata = updated.Owner?.Metadata() }, cancellationToken);
                Remember(updated, written.Value.ETag);
                return updated;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 20)
            {
                // Someone else wrote first: read theirs and apply ours on top.
            }
        }
    }

    /// <summary>
    /// Newest first, only those <paramref name="visible"/> admits by their owner keys (all when null); the total counts
    /// the visible ones. Records that do not parse are passed to <paramref name="onCorrupt"/> and skipped.
    /// </summary>
    public async Task<(IReadOnlyList<DeploymentRecord> Items, int Total)> ListAsync(int offset, int limit,
        Action<string, string>? onCorrupt = null,
        CancellationToken cancellationToken = default, Func<OwnerKeys, bool>? visible = null)
    {
        await EnsureContainerAsync(cancellationToken);
        var names = (await NamesAsync(cancellationToken)).Where(n => visible is null || visible(n.Owner)).ToList();
        var page = names.OrderByDescending(n => n.Created).ThenBy(n => n.Id, StringComparer.Ordinal).Skip(offset)
            .Take(limit).ToList();
        var records = await Task.WhenAll(page.Select(async n =>
        {
            try
            {
                return await GetRecentAsync(n.Id, ListFreshness, cancellationToken);
            }
            catch (CorruptRecordException e)
            {
                onCorrupt?.Invoke(n.Id, e.Message);
                return null;
            }
        }));
        return (records.OfType<DeploymentRecord>().ToList(), names.Count);
    }

    /// <summary>
    /// How many records <paramref name="visible"/> admits by their owner keys and <paramref name="match"/> admits by
    /// their content, from a fresh listing and fresh reads: a decision (the per-owner limit) must see a record another
    /// replica wrote a moment ago. Records that do not parse are not counted.
    /// </summary>
    public async Task<int> CountAsync(Func<OwnerKeys, bool> visible, Func<DeploymentRecord, bool> match,
        CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken);
        listing = null;
        var names = (await NamesAsync(cancellationToken)).Where(n => visible(n.Owner)).ToList();
        var records = await Task.WhenAll(names.Select(async n =>
        {
            try
            {
                return await GetAsync(n.Id, cancellationToken);
            }
            catch (CorruptRecordException)
            {
                return null;
            }
        }));
        return records.Count(r => r is not null && match(r));
    }

    /// <summary>One listing of the container: each record's id, creation time, owner keys and ETag, as of
    /// <see cref="At"/> (when it started: what it shows was current then or later).</summary>
    sealed record Listing(
        List<(string Id, DateTimeOffset Created, OwnerKeys Owner)> Names, Dictionary<string, ETag> ETags,
        DateTimeOffset At);

    // The listing itself, shared by list requests within the same
    // second (a blob listing per request dominated the list's cost).
    volatile Listing? listing;

    async Task<List<(string Id, DateTimeOffset Created, OwnerKeys Owner)>> NamesAsync(
        CancellationToken cancellationToken) => (await ListingAsync(cancellationToken)).Names;

    async Task<Listing> ListingAsync(CancellationToken cancellationToken)
    {
        if (listing is { } cached && Now - cached.At <= ListFreshness) return cached;
        var started = Now;
        var names = new List<(string Id, DateTimeOffset Created, OwnerKeys Owner)>();
        var etags = new Dictionary<string, ETag>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, null,
            cancellationToken))
        {
            var id = blob.Name.EndsWith(".json", StringComparison.Ordinal) ? blob.Name[..^5] : "";
            if (!DeploymentId.IsValid(id)) continue;
            var owner = new OwnerKeys(Meta(blob.Metadata, DeploymentOwner.SubjectMetadata),
                Meta(blob.Metadata, DeploymentOwner.EmailMetadata));
            names.Add((id, blob.Properties.CreatedOn ?? DateTimeOffset.MinValue, owner));
            if (blob.Properties.ETag is { } etag) etags[id] = etag;
        }
        var listed = new Listing(names, etags, started);
        listing = listed;
        lastListed = names.Count;
        return listed;
    }

    static string? Meta(IDictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var v) ? v : null;

    /// <summary>How stale a listed record may be: the list is a dashboard view, polled.</summary>
    public static readonly TimeSpan ListFreshness = TimeSpan.FromSeconds(1);

    public async Task DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        recent.TryRemove(id, out _);
        listing = null;
        if (DeploymentId.IsValid(id)) await Blob(id).DeleteIfExistsAsync(cancellationToken: cancellationToken);
    }

    BlobClient Blob(string id) => container.GetBlobClient($"{id}.json");

    static BinaryData Serialize(DeploymentRecord record) => BinaryData.FromObjectAsJson(record, Json);

    async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (created) return;
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        created = true;
    }
}

public sealed class CorruptRecordException(string id, string problem)
    : Exception($"deployment record {id} does not parse: {problem}")
{
    public string Id { get; } = id;
}
