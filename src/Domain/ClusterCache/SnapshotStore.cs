using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Catalyst.Domain.ClusterCache;

/// <summary>What reading a snapshot came to (reference D.7).</summary>
public enum HydrateOutcome { Missing, Failed, Expired, Hydrated }

public sealed record HydrateResult(HydrateOutcome Outcome, IReadOnlyList<CachedObject> Items, DateTimeOffset? Wrote,
    string? Problem = null);

/// <summary>
/// Cluster-cache snapshots as blobs <c>snapshots/{cluster}/{kind}.json</c> (DESIGN §6), in the original's envelope
/// <c>{version:1, cluster, kind, wrote, resourceVersion, items}</c>. They let a restarted replica answer at once
/// from what the last one saw; the API wins as soon as it answers. Items are the cached, already redacted bytes.
/// A block blob upload commits at the end, so a reader sees the old snapshot or the new one, never half of one.
/// <c>wrote</c> is also kept as blob metadata, so pruning needs no download. The seed's cold-start mitigation (issue
/// #321) without its separate PVC.
/// </summary>
public sealed class SnapshotStore(BlobServiceClient blobs)
{
    public const string ContainerName = "snapshots";
    const string WroteMetadata = "wrote";

    readonly BlobContainerClient container = blobs.GetBlobContainerClient(ContainerName);
    volatile bool created;

    public static string BlobName(string cluster, string kind) => $"{Sanitise(cluster)}/{Sanitise(kind)}.json";

    /// <summary>Blob names keep <c>[A-Za-z0-9._-]</c>; anything else
    /// becomes <c>_</c> (the original's file-name rule).</summary>
    public static string Sanitise(string part)
    {
        var safe =
            new string(part.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray());
        return safe.Length == 0 || safe is "." or ".." ? "_" : safe;
    }

    public async Task WriteAsync(string cluster, string kind, DateTimeOffset wrote, string resourceVersion,
        IEnumerable<CachedObject> items, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken);
        var blob = container.GetBlockBlobClient(BlobName(cluster, kind));
        var options = new BlockBlobOpenWriteOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            Metadata = new Dictionary<string, string> { [WroteMetadata] = wrote.UtcDateTime.ToString("O",
                CultureInfo.InvariantCulture) },
        };
        await using var stream = await blob.OpenWriteAsync(overwrite: true, options, cancellationToken);
        await using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteNumber("version", 1);
        writer.WriteString("cluster", cluster);
        writer.WriteString("kind", kind);
        writer.WriteString("wrote",
            wrote.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        writer.WriteString("resourceVersion", resourceVersion);
        writer.WriteStartArray("items");
        foreach (var item in items)
        {
            writer.WriteRawValue(item.Json, skipInputValidation: true);
            if (writer.BytesPending > 64 * 1024) await writer.FlushAsync(cancellationToken);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Never throws for a bad snapshot: the outcome says
    /// what happened and the informer lists as usual.</summary>
    public async Task<HydrateResult> ReadAsync(KindSpec kind, string cluster, TimeSpan maxAge, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(BlobName(cluster, kind.Name));
        try
        {
            await using var stream = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false),
                cancellationToken);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            var root = document.RootElement;
            if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var v) || v != 1)
                return new HydrateResult(HydrateOutcome.Expired, [], null, "not a version 1 snapshot");
            if (Text(root, "cluster") != cluster || Text(root, "kind") != kind.Name)
                return new HydrateResult(HydrateOutcome.Failed, [], null, "the snapshot names another cluster or kind");
            if (!DateTimeOffset.TryParse(Text(root, "wrote"), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var wrote))
                return new HydrateResult(HydrateOutcome.Failed, [], null, "the snapshot has no valid 'wrote' time");
            if (now - wrote > maxAge)
                return new HydrateResult(HydrateOutcome.Expired, [], wrote,
                    $"written {now - wrote:g} ago, older than {maxAge:g}");
            var items = new List<CachedObject>();
            if (root.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
                foreach (var item in array.EnumerateArray())
                    // re-redacted: a snapshot is input too
                    if (CachedObject.From(item, kind, null) is { } cached) items.Add(cached);
            return new HydrateResult(HydrateOutcome.Hydrated, items, wrote);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return new HydrateResult(HydrateOutcome.Missing, [], null);
        }
        catch (Exception e)
            when (e is RequestFailedException or JsonException or IOException or InvalidOperationException)
        {
            return new HydrateResult(HydrateOutcome.Failed, [], null, e.Message.Split('\n')[0]);
        }
    }

    /// <summary>Deletes every snapshot last known current before <c>now - maxAge</c> (metadata <c>wrote</c>, else
    /// LastModified); returns their names.</summary>
    public async Task<IReadOnlyList<string>> PruneAsync(TimeSpan maxAge, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken);
        var deleted = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, null,
            cancellationToken))
        {
            var at = blob.Metadata.TryGetValue(WroteMetadata, out var text)
                     && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                         DateTimeStyles.AssumeUniversal, out var wrote)
                ? wrote
                : blob.Properties.LastModified ?? now;
            if (now - at <= maxAge) continue;
            if ((await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken)).Value)
                deleted.Add(blob.Name);
        }
        return deleted;
    }

    /// <summary>Removes a cluster's snapshots (its deployment was wiped). Idempotent.</summary>
    public async Task DeleteClusterAsync(string cluster, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, Sanitise(cluster) + "/",
            cancellationToken))
            await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken);
    }

    static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (created) return;
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        created = true;
    }
}
