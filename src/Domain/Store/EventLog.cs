using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Catalyst.Domain.Configuration;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Store;

/// <summary>
/// A deployment's timeline as append blobs, one JSON event per line (DESIGN §6): segment 0 is <c>events/{id}.jsonl</c>,
/// then <c>events/{id}.1.jsonl</c>, <c>{id}.2.jsonl</c>… An append blob takes at most 50 000 appends, so a writer
/// starts the next segment once the current one holds <see cref="EventLogOptions.SegmentMaxBlocks"/>; <c>Seq</c> runs
/// on across segments and readers follow them in order. Appends are conditional on the segment's length, so concurrent
/// writers (any replica) never interleave and a retried append never lands twice; events whose key is already logged
/// are dropped. Past <see cref="EventLogOptions.MaxPerDeployment"/> events further ones are dropped, after one warning
/// event saying so: a workflow's write never fails because its timeline is long. Readers get the newest
/// <see cref="Cap"/> events, oldest dropped first, as the original's buffer (reference A.10, 10 000).
/// </summary>
public sealed class EventLog(BlobServiceClient blobs, Redactor redactor, EventLogOptions? options = null,
    TimeProvider? cacheClock = null) : IDeploymentEvents
{
    public const string ContainerName = "events";
    public const int Cap = 10_000;
    static readonly JsonSerializerOptions Json =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    readonly EventLogOptions limits = options ?? new EventLogOptions();
    readonly BlobContainerClient container = blobs.GetBlobContainerClient(ContainerName);
    readonly ConcurrentDictionary<string, LogState> logs = new();
    bool created;

    /// <summary>The key of the one warning written when a deployment's timeline reaches its cap.</summary>
    public static string CappedKey(string deploymentId) => $"{deploymentId}:events-capped";

    public async Task AppendAsync(string deploymentId, IReadOnlyList<DeploymentEvent> events,
        CancellationToken cancellationToken)
    {
        if (events.Count == 0) return;
        _ = Blob(deploymentId, 0); // validates the id
        var state = logs.GetOrAdd(deploymentId, _ => new LogState());
        await state.Gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var fresh = Capped(deploymentId, state,
                    events.Where(e => !state.Keys.Contains(e.Key)).DistinctBy(e => e.Key).ToList());
                if (fresh.Count == 0) return;
                var numbered = fresh.Select((e, i) =>
                    e with { Seq = state.Count + i, Message = redactor.Redact(e.Message) }).ToList();
                var payload = Encoding.UTF8.GetBytes(
                    string.Concat(numbered.Select(e => JsonSerializer.Serialize(e, Json) + "\n")));
                try
                {
                    if (state.Blocks >= limits.SegmentMaxBlocks) state.NextSegment();
                    var blob = Blob(deploymentId, state.Segment);
                    if (state.Length == 0) await CreateAsync(blob, cancellationToken);
                    using var stream = new MemoryStream(payload);
                    await blob.AppendBlockAsync(stream, new AppendBlobAppendBlockOptions
                    {
                        Conditions = new AppendBlobRequestConditions { IfAppendPositionEqual = state.Length },
                    }, cancellationToken);
                    state.Add(numbered, payload.Length);
                    state.Blocks++;
                    return;
                }
                catch (RequestFailedException e) when (e.Status is 412 or 404 && attempt < 50)
                {
                    // Someone appended first (or our view is stale): catch up, then drop what is already there.
                    await RefreshAsync(deploymentId, state, cancellationToken);
                }
            }
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>The retained events with <c>Seq</c> greater than <paramref name="afterSeq"/>, oldest first.</summary>
    public async Task<IReadOnlyList<DeploymentEvent>> ReadAsync(string deploymentId, long afterSeq = -1,
        CancellationToken cancellationToken = default)
    {
        var state = await SyncedAsync(deploymentId, cancellationToken);
        lock (state.Tail) return state.Tail.Where(e => e.Seq > afterSeq).ToList();
    }

    /// <summary>How many events a reader gets (at most <see cref="Cap"/>).</summary>
    public async Task<int> CountAsync(string deploymentId, CancellationToken cancellationToken = default)
    {
        // A count for a status view may be a second old, and up to three while one background read catches up (as a
        // record is, DeploymentStore.GetRecentAsync): a GET never waits on storage for it while the store is busy
        // (with 1 000 deployments in the watch, GET p99 was 251 ms when it did).
        if (logs.TryGetValue(deploymentId, out var known) && Now - known.SyncedAt is var age
            && age < CountFreshness * 3)
        {
            if (age >= CountFreshness)
            {
                if (DeploymentStore.ListingPaysOff(logs.Count, lastListed)) ListInBackground();
                else SyncInBackground(deploymentId, known);
            }
            lock (known.Tail) return known.Tail.Count;
        }
        var state = await SyncedAsync(deploymentId, cancellationToken);
        lock (state.Tail) return state.Tail.Count;
    }

    static readonly TimeSpan CountFreshness = TimeSpan.FromSeconds(1);

    /// <summary>The clock of the count's freshness only (tests move it); event times are wall-clock time.</summary>
    DateTimeOffset Now => (cacheClock ?? TimeProvider.System).GetUtcNow();

    /// <summary>Starts one background sync of the log unless one runs; a failure is left for the next reader.</summary>
    void SyncInBackground(string deploymentId, LogState state)
    {
        if (Interlocked.Exchange(ref state.BackgroundSync, 1) == 1) return;
        _ = SyncedAsync(deploymentId, CancellationToken.None).ContinueWith(sync =>
        {
            _ = sync.Exception; // observed: the next reader that reads through meets the error itself
            Volatile.Write(ref state.BackgroundSync, 0);
        }, TaskScheduler.Default);
    }

    int listingInBackground;
    Task listedInBackground = Task.CompletedTask;
    /// <summary>How many blobs the last listing found.</summary>
    volatile int lastListed;

    /// <summary>For tests: completes when no background listing is running.</summary>
    public Task ListedAsync() => listedInBackground;

    /// <summary>
    /// With many timelines in memory, one listing of the container replaces a HEAD of each (as for records,
    /// <see cref="DeploymentStore"/>): a timeline whose segment the listing shows at the length already read is current
    /// as of the listing's start; one that grew is synced in the background.
    /// </summary>
    void ListInBackground()
    {
        if (Interlocked.Exchange(ref listingInBackground, 1) == 1) return;
        listedInBackground = Task.Run(async () =>
        {
            try
            {
                var started = Now;
                var lengths = new Dictionary<string, long>(StringComparer.Ordinal);
                await foreach (var blob in container.GetBlobsAsync())
                    lengths[blob.Name] = blob.Properties.ContentLength ?? -1;
                lastListed = lengths.Count;
                foreach (var (id, state) in logs)
                {
                    if (!state.Gate.Wait(0)) continue; // an append or a sync is at it now
                    var vouched = false;
                    try
                    {
                        vouched = state.SyncedAt < started && state.Blocks < limits.SegmentMaxBlocks
                            && lengths.TryGetValue(BlobName(id, state.Segment), out var length)
                            && length == state.Length;
                        if (vouched) state.SyncedAt = started;
                    }
                    finally
                    {
                        state.Gate.Release();
                    }
                    if (!vouched) SyncInBackground(id, state);
                }
            }
            catch (Exception e) when (e is RequestFailedException or IOException or OperationCanceledException)
            {
                // The counts age as they are; past three times their freshness readers read through.
            }
            finally
            {
                Volatile.Write(ref listingInBackground, 0);
            }
        });
    }

    public async Task DeleteAsync(string deploymentId, CancellationToken cancellationToken = default)
    {
        // Segments are contiguous from 0: the first one missing ends the log.
        for (var segment = 0; await Blob(deploymentId, segment)
            .DeleteIfExistsAsync(cancellationToken: cancellationToken); segment++)
        {
        }
        logs.TryRemove(deploymentId, out _);
    }

    async Task<LogState> SyncedAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var state = logs.GetOrAdd(deploymentId, _ => new LogState());
        await state.Gate.WaitAsync(cancellationToken);
        try
        {
            await RefreshAsync(deploymentId, state, cancellationToken);
            state.SyncedAt = Now;
            return state;
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>
    /// Reads whatever was appended since we last looked (by anyone), following into later segments once one is full.
    /// One HEAD when nothing changed.
    /// </summary>
    async Task RefreshAsync(string deploymentId, LogState state, CancellationToken cancellationToken)
    {
        while (true)
        {
            var blob = Blob(deploymentId, state.Segment);
            BlobProperties properties;
            try
            {
                properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return;
            }
            var length = properties.ContentLength;
            if (length > state.Length)
            {
                var download = await blob.DownloadContentAsync(new BlobDownloadOptions { Range =
                    new HttpRange(state.Length, length - state.Length) }, cancellationToken);
                var bytes = download.Value.Content.ToArray();
                var complete = Array.LastIndexOf(bytes, (byte)'\n') + 1;
                var parsed = Encoding.UTF8.GetString(bytes, 0, complete)
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(line => JsonSerializer.Deserialize<DeploymentEvent>(line, Json)!).ToList();
                state.Add(parsed, complete);
            }
            state.Blocks = properties.BlobCommittedBlockCount;
            // A full segment is never appended to again: what follows is in the next one.
            if (state.Blocks < limits.SegmentMaxBlocks || state.Length < length) return;
            state.NextSegment();
        }
    }

    /// <summary>
    /// Keeps a timeline within <see cref="EventLogOptions.MaxPerDeployment"/>: the last slot holds one warning that
    /// later events were dropped, and once it is written everything further is dropped.
    /// </summary>
    List<DeploymentEvent> Capped(string deploymentId, LogState state, List<DeploymentEvent> fresh)
    {
        var max = limits.MaxPerDeployment;
        if (state.Count >= max || state.Keys.Contains(CappedKey(deploymentId))) return [];
        var room = (int)Math.Max(0, max - 1 - state.Count);
        if (fresh.Count <= room) return fresh;
        var first = fresh[room];
        return
        [
            .. fresh.Take(room),
            new DeploymentEvent
            {
                Key = CappedKey(deploymentId), Phase = first.Phase, Level = EventLevels.Warn, Time = first.Time,
                Message =
                    $"This deployment's timeline reached its limit of {max} events " +
                    "(CATALYST_EVENTS_MAX_PER_DEPLOYMENT); later events are not recorded.",
            },
        ];
    }

    async Task CreateAsync(AppendBlobClient blob, CancellationToken cancellationToken)
    {
        if (!created)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            created = true;
        }
        await blob.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
    }

    /// <summary>Segment 0 keeps the original name, so timelines
    /// written before segments existed read as they are.</summary>
    AppendBlobClient Blob(string deploymentId, int segment) =>
        DeploymentId.IsValid(deploymentId)
            ? container.GetAppendBlobClient(BlobName(deploymentId, segment))
            : throw new ArgumentException("invalid deployment id", nameof(deploymentId));

    static string BlobName(string deploymentId, int segment) =>
        segment == 0 ? $"{deploymentId}.jsonl" : $"{deploymentId}.{segment}.jsonl";

    sealed class LogState
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public readonly HashSet<string> Keys = new(StringComparer.Ordinal);
        public readonly List<DeploymentEvent> Tail = new();
        /// <summary>The segment being read and appended to, its
        /// length and how many appends (blocks) it holds.</summary>
        public int Segment;
        public long Length;
        public int Blocks;
        public long Count;
        public DateTimeOffset SyncedAt;
        /// <summary>1 while a background sync runs (<see cref="SyncInBackground"/>).</summary>
        public int BackgroundSync;

        public void NextSegment()
        {
            Segment++;
            Length = 0;
            Blocks = 0;
        }

        public void Add(IReadOnlyList<DeploymentEvent> events, long bytes)
        {
            Length += bytes;
            Count += events.Count;
            lock (Tail)
            {
                foreach (var e in events) Keys.Add(e.Key);
                Tail.AddRange(events);
                if (Tail.Count > Cap) Tail.RemoveRange(0, Tail.Count - Cap);
            }
        }
    }
}

/// <summary>How long a timeline may grow and how it is cut into
/// append blobs. Every replica must use the same values.</summary>
public sealed record EventLogOptions
{
    /// <summary>Azure refuses the 50 001st append to one append blob; rolling
    /// over well before it leaves room for concurrent writers.</summary>
    public const int AppendBlobBlockLimit = 50_000;
    public long MaxPerDeployment { get; init; } = 100_000;
    public int SegmentMaxBlocks { get; init; } = 45_000;

    public static EventLogOptions From(Func<string, string?> read) => new()
    {
        MaxPerDeployment = Settings.Int(read, "CATALYST_EVENTS_MAX_PER_DEPLOYMENT", 100_000, 1, int.MaxValue),
        SegmentMaxBlocks = Settings.Int(read, "CATALYST_EVENTS_SEGMENT_MAX_APPENDS", 45_000, 1, AppendBlobBlockLimit),
    };
}
