using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Store;

/// <summary>
/// A deployment's timeline as an append blob <c>events/{id}.jsonl</c>, one JSON event per line (DESIGN §6).
/// Appends are conditional on the blob's length, so concurrent writers (any replica) never interleave and a
/// retried append never lands twice; events whose key is already logged are dropped. Readers get the newest
/// <see cref="Cap"/> events, oldest dropped first, as the original's buffer (reference A.10, 10 000).
/// </summary>
public sealed class EventLog(BlobServiceClient blobs, Redactor redactor) : IDeploymentEvents
{
    public const string ContainerName = "events";
    public const int Cap = 10_000;
    static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    readonly BlobContainerClient container = blobs.GetBlobContainerClient(ContainerName);
    readonly ConcurrentDictionary<string, LogState> logs = new();
    bool created;

    public async Task AppendAsync(string deploymentId, IReadOnlyList<DeploymentEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0) return;
        var blob = Blob(deploymentId);
        var state = logs.GetOrAdd(deploymentId, _ => new LogState());
        await state.Gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var fresh = events.Where(e => !state.Keys.Contains(e.Key)).DistinctBy(e => e.Key).ToList();
                if (fresh.Count == 0) return;
                var numbered = fresh.Select((e, i) => e with { Seq = state.Count + i, Message = redactor.Redact(e.Message) }).ToList();
                var payload = Encoding.UTF8.GetBytes(string.Concat(numbered.Select(e => JsonSerializer.Serialize(e, Json) + "\n")));
                try
                {
                    if (state.Length == 0) await CreateAsync(blob, cancellationToken);
                    using var stream = new MemoryStream(payload);
                    await blob.AppendBlockAsync(stream, new AppendBlobAppendBlockOptions
                    {
                        Conditions = new AppendBlobRequestConditions { IfAppendPositionEqual = state.Length },
                    }, cancellationToken);
                    state.Add(numbered, payload.Length);
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
    public async Task<IReadOnlyList<DeploymentEvent>> ReadAsync(string deploymentId, long afterSeq = -1, CancellationToken cancellationToken = default)
    {
        var state = await SyncedAsync(deploymentId, cancellationToken);
        lock (state.Tail) return state.Tail.Where(e => e.Seq > afterSeq).ToList();
    }

    /// <summary>How many events a reader gets (at most <see cref="Cap"/>).</summary>
    public async Task<int> CountAsync(string deploymentId, CancellationToken cancellationToken = default)
    {
        // A count for a status view may be a second old; it saves a storage call per GET under load.
        if (logs.TryGetValue(deploymentId, out var known) && DateTimeOffset.UtcNow - known.SyncedAt < TimeSpan.FromSeconds(1))
            lock (known.Tail) return known.Tail.Count;
        var state = await SyncedAsync(deploymentId, cancellationToken);
        lock (state.Tail) return state.Tail.Count;
    }

    public async Task DeleteAsync(string deploymentId, CancellationToken cancellationToken = default)
    {
        await Blob(deploymentId).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        logs.TryRemove(deploymentId, out _);
    }

    async Task<LogState> SyncedAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var state = logs.GetOrAdd(deploymentId, _ => new LogState());
        await state.Gate.WaitAsync(cancellationToken);
        try
        {
            await RefreshAsync(deploymentId, state, cancellationToken);
            state.SyncedAt = DateTimeOffset.UtcNow;
            return state;
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>Reads whatever was appended since we last looked (by anyone). One HEAD when nothing changed.</summary>
    async Task RefreshAsync(string deploymentId, LogState state, CancellationToken cancellationToken)
    {
        var blob = Blob(deploymentId);
        long length;
        try
        {
            length = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ContentLength;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return;
        }
        if (length <= state.Length) return;
        var download = await blob.DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(state.Length, length - state.Length) }, cancellationToken);
        var bytes = download.Value.Content.ToArray();
        var complete = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        var parsed = Encoding.UTF8.GetString(bytes, 0, complete).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize<DeploymentEvent>(line, Json)!).ToList();
        state.Add(parsed, complete);
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

    AppendBlobClient Blob(string deploymentId) =>
        DeploymentId.IsValid(deploymentId)
            ? container.GetAppendBlobClient($"{deploymentId}.jsonl")
            : throw new ArgumentException("invalid deployment id", nameof(deploymentId));

    sealed class LogState
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public readonly HashSet<string> Keys = new(StringComparer.Ordinal);
        public readonly List<DeploymentEvent> Tail = new();
        public long Length;
        public long Count;
        public DateTimeOffset SyncedAt;

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
