using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Dns;

namespace Catalyst.Domain.Subdomains;

/// <summary>How long a reservation holds before the workflow renews or commits it
/// (<c>CATALYST_SUBDOMAIN_RESERVATION_TTL</c>).</summary>
public sealed record ReservationSettings(TimeSpan Ttl)
{
    public static ReservationSettings From(Func<string, string?> read) =>
        new(Catalyst.Domain.Configuration.Settings.Duration(read, SubdomainReservations.TtlSetting,
            SubdomainReservations.DefaultTtl));
}

/// <summary>One claim on <c>{subdomain}.{poolDomain}</c>, stored as
/// <c>reservations/{poolDomain}/{subdomain}.json</c>.</summary>
public sealed record Reservation
{
    public const string Reserved = "reserved";
    public const string Active = "active";

    [JsonPropertyName("poolDomain")] public required string PoolDomain { get; init; }
    [JsonPropertyName("subdomain")] public required string Subdomain { get; init; }
    [JsonPropertyName("deploymentId")] public required string DeploymentId { get; init; }
    [JsonPropertyName("state")] public required string State { get; init; }
    [JsonPropertyName("reservedAt")] public required DateTimeOffset ReservedAt { get; init; }
    /// <summary>Null once committed: an active Sovereign's name does not expire.</summary>
    [JsonPropertyName("expiresAt")] public DateTimeOffset? ExpiresAt { get; init; }
    [JsonPropertyName("committedAt")] public DateTimeOffset? CommittedAt { get; init; }

    public bool IsLive(DateTimeOffset now) => State == Active || ExpiresAt > now;
}

public enum ReserveResult { Reserved, Conflict }

public enum CommitResult { Committed, NotFound, NotOwner }

public enum ReleaseResult { Released, NotOwner }

/// <summary>
/// Subdomain reservations in blob storage, safe across replicas without a database: creation is
/// <c>If-None-Match: *</c>, so of two concurrent reservations exactly one wins; every change to an existing claim
/// (take-over of an expired one, commit, release) is conditional on the ETag that was read. A reservation held
/// by a crashed provision frees itself after the TTL (<c>CATALYST_SUBDOMAIN_RESERVATION_TTL</c>, reference G:
/// "PDM reservation TTL frees a subdomain if the API crashes").
/// </summary>
public sealed class SubdomainReservations(BlobServiceClient blobs, TimeSpan ttl, TimeProvider? time = null,
    string containerName = SubdomainReservations.Container)
{
    public const string Container = "reservations";
    public const string TtlSetting = "CATALYST_SUBDOMAIN_RESERVATION_TTL";
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(30);

    // Conditional writes that lose a race re-read and decide again; a handful of rounds settles any real contention.
    const int Rounds = 8;
    static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    readonly TimeProvider clock = time ?? TimeProvider.System;
    readonly BlobContainerClient container = blobs.GetBlobContainerClient(containerName);
    Task? created;

    /// <param name="renew">Restart the TTL of a claim that is already ours and not committed (the workflow's start: the
    /// name is committed only after a successful apply, so the claim must outlast the wait for a tofu slot).</param>
    public async Task<ReserveResult> ReserveAsync(string poolDomain, string subdomain, string deploymentId,
        CancellationToken cancellationToken, bool renew = false)
    {
        var blob = await BlobAsync(poolDomain, subdomain, deploymentId, cancellationToken);
        for (var round = 0; round < Rounds; round++)
        {
            var now = clock.GetUtcNow();
            var fresh = new Reservation
            {
                PoolDomain = poolDomain, Subdomain = subdomain, DeploymentId = deploymentId,
                State = Reservation.Reserved, ReservedAt = now, ExpiresAt = now + ttl,
            };
            if (await TryWriteAsync(blob, fresh, new BlobRequestConditions { IfNoneMatch = ETag.All },
                cancellationToken)) return ReserveResult.Reserved;

            var (current, etag) = await ReadAsync(blob, cancellationToken);
            if (current is null) continue; // released between our attempts: try to create again
            if (current.DeploymentId == deploymentId)
            {
                // Ours already (a retried activity): idempotent. Renew a lapsed claim nobody took over.
                if (current.IsLive(now) && !(renew && current.State == Reservation.Reserved))
                    return ReserveResult.Reserved;
                if (await TryWriteAsync(blob, current with { ExpiresAt = now + ttl },
                    new BlobRequestConditions { IfMatch = etag }, cancellationToken))
                    return ReserveResult.Reserved;
                continue;
            }
            if (current.IsLive(now)) return ReserveResult.Conflict;
            // Expired and someone else's: take it over, unless another taker got there first.
            if (await TryWriteAsync(blob, fresh, new BlobRequestConditions { IfMatch = etag }, cancellationToken))
                return ReserveResult.Reserved;
        }
        throw new InvalidOperationException(
            $"reservation of {subdomain}.{poolDomain} did not settle after {Rounds} conditional writes");
    }

    /// <summary>reserved → active, without expiry. Only the owner may commit; committing twice is fine.</summary>
    public async Task<CommitResult> CommitAsync(string poolDomain, string subdomain, string deploymentId,
        CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(poolDomain, subdomain, deploymentId, cancellationToken);
        for (var round = 0; round < Rounds; round++)
        {
            var (current, etag) = await ReadAsync(blob, cancellationToken);
            if (current is null) return CommitResult.NotFound;
            if (current.DeploymentId != deploymentId) return CommitResult.NotOwner;
            if (current.State == Reservation.Active) return CommitResult.Committed;
            var active = current with { State = Reservation.Active, ExpiresAt = null, CommittedAt = clock.GetUtcNow() };
            if (await TryWriteAsync(blob, active, new BlobRequestConditions { IfMatch = etag }, cancellationToken))
                return CommitResult.Committed;
        }
        throw new InvalidOperationException(
            $"commit of {subdomain}.{poolDomain} did not settle after {Rounds} conditional writes");
    }

    /// <summary>Frees the name. Only the owner may release; releasing what is already gone succeeds.</summary>
    public async Task<ReleaseResult> ReleaseAsync(string poolDomain, string subdomain, string deploymentId,
        CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(poolDomain, subdomain, deploymentId, cancellationToken);
        for (var round = 0; round < Rounds; round++)
        {
            var (current, etag) = await ReadAsync(blob, cancellationToken);
            if (current is null) return ReleaseResult.Released;
            if (current.DeploymentId != deploymentId) return ReleaseResult.NotOwner;
            try
            {
                await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots,
                    new BlobRequestConditions { IfMatch = etag }, cancellationToken);
                return ReleaseResult.Released;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // gone or changed under us: look again
            }
        }
        throw new InvalidOperationException(
            $"release of {subdomain}.{poolDomain} did not settle after {Rounds} conditional writes");
    }

    /// <summary>The current claim, or null when there is none. Expired claims are returned as they are; callers ask
    /// <see cref="Reservation.IsLive"/>.</summary>
    public async Task<Reservation?> GetAsync(string poolDomain, string subdomain, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(poolDomain, subdomain, null, cancellationToken);
        return (await ReadAsync(blob, cancellationToken)).Reservation;
    }

    public DateTimeOffset Now => clock.GetUtcNow();

    async Task<BlobClient> BlobAsync(string poolDomain, string subdomain, string? deploymentId,
        CancellationToken cancellationToken)
    {
        // Only names of the shapes we accept reach a blob path.
        if (!SubdomainLabel.IsDomainName(poolDomain))
            throw new ArgumentException($"\"{poolDomain}\" is not a pool domain name", nameof(poolDomain));
        if (!SubdomainLabel.IsValid(subdomain))
            throw new ArgumentException($"\"{subdomain}\": {SubdomainLabel.Rule}", nameof(subdomain));
        if (deploymentId is not null && !DeploymentId.IsValid(deploymentId))
            throw new ArgumentException($"\"{deploymentId}\" is not a deployment id", nameof(deploymentId));
        if (created is null || created.IsFaulted)
            created = container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        await created;
        return container.GetBlobClient($"{poolDomain}/{subdomain}.json");
    }

    static async Task<bool> TryWriteAsync(BlobClient blob, Reservation reservation, BlobRequestConditions conditions,
        CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(BinaryData.FromObjectAsJson(reservation, Json),
                new BlobUploadOptions { Conditions = conditions,
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412 || e.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            return false;
        }
    }

    static async Task<(Reservation? Reservation, ETag ETag)> ReadAsync(BlobClient blob,
        CancellationToken cancellationToken)
    {
        try
        {
            var result = await blob.DownloadContentAsync(cancellationToken);
            return (result.Value.Content.ToObjectFromJson<Reservation>(Json), result.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (null, default);
        }
    }
}
