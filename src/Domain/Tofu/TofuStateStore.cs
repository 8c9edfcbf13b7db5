using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// OpenTofu's state and lock for each deployment, in blob storage (DESIGN §5): the state is
/// <c>tofu-state/{id}.tfstate</c>, the lock is a lease on that blob whose metadata names the holder. Leases are
/// finite (60 s) and renewed while tofu runs, so the lock of a process that died lapses by itself and the next
/// run takes it over — and that takeover is recorded. Any replica can serve any request: nothing is in memory.
/// </summary>
public sealed class TofuStateStore : ITofuStateLock
{
    public const string ContainerName = "tofu-state";

    /// <summary>Blob metadata holds the lock info, and metadata is capped at 8 KiB in all.</summary>
    public const int MaxLockInfoBytes = 4096;

    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromSeconds(60);

    const string LockInfoKey = "lockinfo";
    const string HostKey = "host";
    const string SinceKey = "since";
    const string DeploymentKey = "deployment";

    readonly BlobContainerClient container;
    readonly IDeploymentEvents? events;
    readonly TimeSpan leaseDuration;
    readonly TimeProvider clock;
    readonly string hostName;
    volatile bool containerExists;

    public TofuStateStore(BlobServiceClient blobs, IDeploymentEvents? events, TimeSpan? leaseDuration = null, TimeProvider? time = null, string? hostName = null)
    {
        this.leaseDuration = leaseDuration ?? DefaultLeaseDuration;
        // Azure's limits for a finite lease.
        if (this.leaseDuration < TimeSpan.FromSeconds(15) || this.leaseDuration > TimeSpan.FromSeconds(60))
            throw new ArgumentOutOfRangeException(nameof(leaseDuration), "a blob lease lasts 15 to 60 seconds");
        container = blobs.GetBlobContainerClient(ContainerName);
        this.events = events;
        clock = time ?? TimeProvider.System;
        this.hostName = hostName ?? Environment.MachineName;
    }

    public static string BlobName(string deploymentId) => $"{deploymentId}.tfstate";

    /// <summary>The state, or null when there is none yet (an absent or empty blob: the lock creates an empty one).</summary>
    public async Task<byte[]?> ReadStateAsync(string deploymentId, CancellationToken cancellationToken)
    {
        try
        {
            var content = (await Blob(deploymentId).DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
            return content.Length == 0 ? null : content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes the state under the lease that <paramref name="lockId"/> stands for, renewing it first: a writer
    /// without the lock (or whose lock was taken over) cannot overwrite the state.
    /// </summary>
    public async Task<TofuLockResult> WriteStateAsync(string deploymentId, string? lockId, BinaryData state, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(lockId)) return new TofuLockResult(TofuLockOutcome.NotLocked, await HolderInfoAsync(deploymentId, cancellationToken));
        var blob = Blob(deploymentId);
        var lease = new BlobRequestConditions { LeaseId = TofuLockInfo.LeaseIdFor(lockId).ToString() };
        try
        {
            await blob.GetBlobLeaseClient(lease.LeaseId).RenewAsync(cancellationToken: cancellationToken);
            // Put Blob replaces metadata, so the holder's record is carried over.
            var metadata = (await blob.GetPropertiesAsync(lease, cancellationToken)).Value.Metadata;
            await blob.UploadAsync(state, new BlobUploadOptions
            {
                Conditions = lease,
                Metadata = metadata,
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            }, cancellationToken);
            return TofuLockResult.Done;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            return new TofuLockResult(TofuLockOutcome.HeldByOther, await HolderInfoAsync(deploymentId, cancellationToken));
        }
    }

    public async Task<TofuLockResult> LockAsync(string deploymentId, TofuLockInfo info, CancellationToken cancellationToken)
    {
        if (Encoding.UTF8.GetByteCount(info.Raw) > MaxLockInfoBytes)
            throw new ArgumentException($"lock info is larger than {MaxLockInfoBytes} bytes", nameof(info));
        await EnsureContainerAsync(cancellationToken);
        var blob = Blob(deploymentId);
        await CreateIfAbsentAsync(blob, cancellationToken);
        var previous = await HolderAsync(blob, cancellationToken);

        var leaseId = TofuLockInfo.LeaseIdFor(info.Id).ToString();
        var lease = blob.GetBlobLeaseClient(leaseId);
        try
        {
            await lease.AcquireAsync(leaseDuration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return new TofuLockResult(TofuLockOutcome.HeldByOther, (await HolderAsync(blob, cancellationToken))?.Info);
        }

        try
        {
            // A holder in the metadata whose lease we could take never unlocked: its process is gone (DESIGN §5).
            // Recorded before the metadata names the new holder, so a failed append is retried by the next lock.
            if (previous is not null && previous.Info.Id != info.Id) await RecordTakeoverAsync(deploymentId, previous, cancellationToken);
            await blob.SetMetadataAsync(new Dictionary<string, string>
            {
                [LockInfoKey] = Convert.ToBase64String(Encoding.UTF8.GetBytes(info.Raw)),
                [HostKey] = hostName,
                [SinceKey] = clock.GetUtcNow().ToString("o"),
                [DeploymentKey] = deploymentId,
            }, new BlobRequestConditions { LeaseId = leaseId }, cancellationToken);
        }
        catch
        {
            await lease.ReleaseAsync(cancellationToken: CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }
        return TofuLockResult.Done;
    }

    /// <summary>Releases the lock when <paramref name="info"/> names its holder; nothing held is released too.</summary>
    public async Task<TofuLockResult> UnlockAsync(string deploymentId, TofuLockInfo info, CancellationToken cancellationToken)
    {
        var blob = Blob(deploymentId);
        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return TofuLockResult.Done;
        }
        var holder = Holder(properties.Metadata);
        if (holder is not null && holder.Info.Id != info.Id)
            return new TofuLockResult(TofuLockOutcome.HeldByOther, holder.Info);

        var leaseId = TofuLockInfo.LeaseIdFor(info.Id).ToString();
        try
        {
            if (properties.LeaseState == LeaseState.Leased)
            {
                await blob.SetMetadataAsync(new Dictionary<string, string>(), new BlobRequestConditions { LeaseId = leaseId }, cancellationToken);
                await blob.GetBlobLeaseClient(leaseId).ReleaseAsync(cancellationToken: cancellationToken);
            }
            else if (holder is not null)
            {
                // Our lease lapsed but nobody took the lock: still ours to clear, unless it changed meanwhile.
                await blob.SetMetadataAsync(new Dictionary<string, string>(), new BlobRequestConditions { IfMatch = properties.ETag }, cancellationToken);
            }
            return TofuLockResult.Done;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return new TofuLockResult(TofuLockOutcome.HeldByOther, await HolderInfoAsync(deploymentId, cancellationToken));
        }
    }

    /// <summary>
    /// Renews the live lease of whoever holds the lock now. A lapsed lease is left alone: renewing it would
    /// resurrect the lock of a dead process.
    /// </summary>
    public async Task<bool> RenewLockAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var blob = Blob(deploymentId);
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            if (properties.LeaseState != LeaseState.Leased || Holder(properties.Metadata) is not { } holder) return false;
            await blob.GetBlobLeaseClient(TofuLockInfo.LeaseIdFor(holder.Info.Id).ToString()).RenewAsync(cancellationToken: cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            return false;
        }
    }

    /// <summary>Who holds (or last held) the lock, from the blob's metadata.</summary>
    public async Task<TofuLockHolder?> HolderAsync(string deploymentId, CancellationToken cancellationToken) =>
        await HolderAsync(Blob(deploymentId), cancellationToken);

    async Task<TofuLockInfo?> HolderInfoAsync(string deploymentId, CancellationToken cancellationToken) =>
        (await HolderAsync(deploymentId, cancellationToken))?.Info;

    static async Task<TofuLockHolder?> HolderAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            return Holder((await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.Metadata);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    static TofuLockHolder? Holder(IDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(LockInfoKey, out var encoded)) return null;
        byte[] raw;
        try
        {
            raw = Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            return null;
        }
        return TofuLockInfo.TryParse(raw, out var info)
            ? new TofuLockHolder(info!, metadata.TryGetValue(HostKey, out var host) ? host : "", metadata.TryGetValue(SinceKey, out var since) ? since : "")
            : null;
    }

    Task RecordTakeoverAsync(string deploymentId, TofuLockHolder previous, CancellationToken cancellationToken)
    {
        if (events is null) return Task.CompletedTask;
        var who = previous.Info.Who.Length > 200 ? previous.Info.Who[..200] : previous.Info.Who;
        var message = $"Took over the tofu state lock of {(who.Length > 0 ? who : "an unnamed holder")} (lock {previous.Info.Id}, " +
                      $"{previous.Info.Operation}, held since {previous.Since} via {previous.Host}): its lease lapsed without an unlock, so its holder is gone";
        return events.AppendAsync(deploymentId,
        [
            new DeploymentEvent
            {
                Key = $"tofu-lock-takeover:{previous.Info.Id}",
                Phase = "tofu",
                Level = EventLevels.Warn,
                Message = message,
                Time = clock.GetUtcNow(),
            },
        ], cancellationToken);
    }

    BlobClient Blob(string deploymentId) =>
        DeploymentId.IsValid(deploymentId)
            ? container.GetBlobClient(BlobName(deploymentId))
            : throw new ArgumentException("not a deployment id", nameof(deploymentId));

    async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (containerExists) return;
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        containerExists = true;
    }

    // The lease needs a blob to sit on; an empty one reads as "no state" (ReadStateAsync).
    static async Task CreateIfAbsentAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // it exists (and may be leased): fine
        }
    }
}

/// <summary>The lock's holder as recorded in the state blob's metadata: tofu's lock info, the app host that granted it, and when.</summary>
public sealed record TofuLockHolder(TofuLockInfo Info, string Host, string Since);
