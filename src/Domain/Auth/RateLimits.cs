using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Catalyst.Domain.Auth;

/// <summary>A fixed window's count: the window starts with the first request after the previous one ended.</summary>
public sealed record WindowCount(DateTimeOffset Start, int Count);

/// <summary>
/// At most <see cref="Limit"/> per <see cref="Window"/>, counted in fixed windows. Pure: storage keeps the
/// <see cref="WindowCount"/>, this decides what it becomes.
/// </summary>
public sealed record RateLimit(int Limit, TimeSpan Window)
{
    /// <summary>The count after admitting one more at
    /// <paramref name="now"/>, or null when the window is full.</summary>
    public WindowCount? Admit(WindowCount? stored, DateTimeOffset now) =>
        Current(stored, now) is { } current
            ? current.Count < Limit ? current with { Count = current.Count + 1 } : null
            : new WindowCount(now, 1);

    /// <summary>
    /// How long until a full window ends, in whole seconds rounded up and at least 1 (Retry-After's unit, and a client
    /// that retries after it is admitted).
    /// </summary>
    public int RetryAfterSeconds(WindowCount stored, DateTimeOffset now) =>
        (int)Math.Max(1, Math.Ceiling((stored.Start + Window - now).TotalSeconds));

    /// <summary>The count with one admission given back (a request refused by another limit), or null when there is
    /// nothing to give back.</summary>
    public WindowCount? Release(WindowCount? stored, DateTimeOffset now) =>
        Current(stored, now) is { Count: > 0 } current ? current with { Count = current.Count - 1 } : null;

    // A window that has ended, or one that starts in the future (a replica's clock ahead of ours), no longer counts.
    WindowCount? Current(WindowCount? stored, DateTimeOffset now) =>
        stored is not null && stored.Start <= now && now < stored.Start + Window ? stored : null;
}

/// <summary>
/// The magic-link limits (<c>CATALYST_MAGIC_LINK_PER_EMAIL</c>, <c>_PER_ADDRESS</c>, <c>_WINDOW</c>) and the keys they
/// count by: the email lower-cased, and the client address (an IPv6 client by its /64, which one subscriber usually
/// holds whole; an IPv4-mapped address as IPv4).
/// </summary>
public sealed record MagicLinkLimits(int PerEmail, int PerAddress, TimeSpan Window)
{
    public static readonly MagicLinkLimits Default = new(5, 20, TimeSpan.FromMinutes(15));

    public RateLimit Email => new(PerEmail, Window);
    public RateLimit Address => new(PerAddress, Window);

    public static string EmailKey(string email) => "email:" + email.Trim().ToLowerInvariant();

    public static string AddressKey(IPAddress? address)
    {
        if (address is null) return "address:unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return "address:" + address;
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"address:{new IPAddress(bytes)}/64";
    }
}

/// <summary>
/// Fixed-window counters every replica shares: one small blob per key (container <c>catalyst-rate-limits</c>, named by
/// the SHA-256 of the key, so no email appears in storage), updated with ETag-conditioned writes and re-read on a
/// conflict. Storage failures throw; callers refuse rather than send unlimited mail.
/// </summary>
public sealed class BlobRateLimiter(BlobServiceClient blobs, TimeProvider time,
    string containerName = BlobRateLimiter.Container)
{
    public const string Container = "catalyst-rate-limits";
    const int Attempts = 20;

    readonly BlobContainerClient container = blobs.GetBlobContainerClient(containerName);
    volatile bool created;

    /// <summary>Null when admitted (and counted); otherwise the seconds
    /// until the window ends, and nothing is counted.</summary>
    public async Task<int?> TryAcquireAsync(string key, RateLimit limit, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var (stored, etag) = await ReadAsync(key, cancellationToken);
            var now = time.GetUtcNow();
            if (limit.Admit(stored, now) is not { } next) return limit.RetryAfterSeconds(stored!, now);
            if (await TryWriteAsync(key, next, etag, cancellationToken)) return null;
            await Backoff(attempt, cancellationToken);
        }
        throw new RateLimitContentionException(Attempts);
    }

    /// <summary>Gives back one admission of the current window (the request was refused by another limit).</summary>
    public async Task ReleaseAsync(string key, RateLimit limit, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var (stored, etag) = await ReadAsync(key, cancellationToken);
            if (limit.Release(stored, time.GetUtcNow()) is not { } next) return;
            if (await TryWriteAsync(key, next, etag, cancellationToken)) return;
            await Backoff(attempt, cancellationToken);
        }
        throw new RateLimitContentionException(Attempts);
    }

    /// <summary>The stored count for a key (tests and diagnostics).</summary>
    public async Task<WindowCount?> PeekAsync(string key, CancellationToken cancellationToken = default) =>
        (await ReadAsync(key, cancellationToken)).Count;

    public static string BlobName(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    async Task<(WindowCount? Count, ETag? ETag)> ReadAsync(string key, CancellationToken cancellationToken)
    {
        if (!created)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            created = true;
        }
        BlobDownloadResult content;
        try
        {
            content = (await container.GetBlobClient(BlobName(key)).DownloadContentAsync(cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (null, null);
        }
        try
        {
            return (JsonSerializer.Deserialize<WindowCount>(content.Content.ToMemory().Span), content.Details.ETag);
        }
        catch (JsonException)
        {
            // Unreadable counts as a fresh window, written over this very version.
            return (null, content.Details.ETag);
        }
    }

    async Task<bool> TryWriteAsync(string key, WindowCount next, ETag? etag, CancellationToken cancellationToken)
    {
        try
        {
            await container.GetBlobClient(BlobName(key))
                .UploadAsync(BinaryData.FromObjectAsJson(next), new BlobUploadOptions
            {
                Conditions = etag is { } e ? new BlobRequestConditions { IfMatch = e }
                    : new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    // Replicas that collide on one key retry at different moments.
    static Task Backoff(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 + 10 * Math.Min(attempt, 10))),
            cancellationToken);
}

public sealed class RateLimitContentionException(int attempts)
    : Exception($"the rate-limit counter changed under {attempts} attempts in a row");
