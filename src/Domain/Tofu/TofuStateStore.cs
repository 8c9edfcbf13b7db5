using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Catalyst.Domain.Deployments;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// OpenTofu's state and lock for each deployment, in blob storage (DESIGN §5; the seed's otech64 lost state kept in
/// an emptyDir to a pod roll): the state is
/// <c>tofu-state/{id}.tfstate</c>, the lock is a lease on that blob whose metadata names the holder. Leases are
/// finite (60 s) and renewed while tofu runs, so the lock of a process that died lapses by itself and the next
/// run takes it over — and that takeover is recorded. A holder that tagged its lock with a <see cref="TofuRunTag"/>
/// is taken over at once by a later execution that may (<see cref="TofuRunTag.MayTakeOver"/>): the lease is broken,
/// so the old holder can no longer write state (fencing), and its runner stops it. Any replica can serve any
/// request: nothing is in memory.
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
    const string OperationKey = "op";
    const string RunKey = "run";
    const string ExecutionKey = "exec";
    const string StopKey = "stop";

    readonly BlobContainerClient container;
    readonly IDeploymentEvents? events;
    readonly TimeSpan leaseDuration;
    readonly TimeProvider clock;
    readonly string hostName;
    volatile bool containerExists;

    public TofuStateStore(BlobServiceClient blobs, IDeploymentEvents? events, TimeSpan? leaseDuration = null,
        TimeProvider? time = null, string? hostName = null)
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

    /// <summary>The state, or null when there is none yet (an absent
    /// or empty blob: the lock creates an empty one).</summary>
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
    public async Task<TofuLockResult> WriteStateAsync(string deploymentId, string? lockId, BinaryData state,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(lockId))
            return new TofuLockResult(TofuLockOutcome.NotLocked,
                await HolderInfoAsync(deploymentId, cancellationToken));
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
            return new TofuLockResult(TofuLockOutcome.HeldByOther,
                await HolderInfoAsync(deploymentId, cancellationToken));
        }
    }

    public Task<TofuLockResult> LockAsync(string deploymentId, TofuLockInfo info,
        CancellationToken cancellationToken) =>
        LockAsync(deploymentId, info, tag: null, cancellationToken);

    public async Task<TofuLockResult> LockAsync(string deploymentId, TofuLockInfo info, TofuRunTag? tag,
        CancellationToken cancellationToken)
    {
        if (Encoding.UTF8.GetByteCount(info.Raw) > MaxLockInfoBytes)
            throw new ArgumentException($"lock info is larger than {MaxLockInfoBytes} bytes", nameof(info));
        await EnsureContainerAsync(cancellationToken);
        var blob = Blob(deploymentId);
        await CreateIfAbsentAsync(blob, cancellationToken);
        var previous = await HolderAsync(blob, cancellationToken);

        var leaseId = TofuLockInfo.LeaseIdFor(info.Id).ToString();
        var lease = blob.GetBlobLeaseClient(leaseId);
        var reason = "its lease lapsed without an unlock, so its holder is gone";
        try
        {
            await lease.AcquireAsync(leaseDuration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var holder = await HolderAsync(blob, cancellationToken);
            if (holder is null || !TofuRunTag.MayTakeOver(holder.Tag, tag))
                return new TofuLockResult(TofuLockOutcome.HeldByOther, holder?.Info);
            // Fast takeover: break the live lease (the old holder's state writes now fail) and take it.
            reason = holder.Tag!.Operation == TofuRunTag.Apply && tag!.Operation == TofuRunTag.Destroy
                ? "a wipe's destroy took over from the running apply"
                : $"its execution is gone: run {tag!.Run} was handed to a new execution ({tag.Execution}), " +
                    "so it took the lock without waiting for the lease";
            previous = holder;
            try
            {
                await blob.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero, cancellationToken: cancellationToken);
                await lease.AcquireAsync(leaseDuration, cancellationToken: cancellationToken);
            }
            catch (RequestFailedException again) when (again.Status == 409)
            {
                return new TofuLockResult(TofuLockOutcome.HeldByOther,
                    (await HolderAsync(blob, cancellationToken))?.Info);
            }
        }

        try
        {
            // A holder in the metadata whose lease we could take never unlocked: its process is gone (DESIGN §5).
            // Recorded before the metadata names the new holder, so a failed append is retried by the next lock.
            if (previous is not null && previous.Info.Id != info.Id)
                await RecordTakeoverAsync(deploymentId, previous, reason, cancellationToken);
            var metadata = new Dictionary<string, string>
            {
                [LockInfoKey] = Convert.ToBase64String(Encoding.UTF8.GetBytes(info.Raw)),
                [HostKey] = hostName,
                [SinceKey] = clock.GetUtcNow().ToString("o"),
                [DeploymentKey] = deploymentId,
            };
            if (tag is not null)
            {
                metadata[OperationKey] = tag.Operation;
                metadata[RunKey] = tag.Run.ToString(System.Globalization.CultureInfo.InvariantCulture);
                metadata[ExecutionKey] = tag.Execution;
            }
            await blob.SetMetadataAsync(metadata, new BlobRequestConditions { LeaseId = leaseId }, cancellationToken);
        }
        catch
        {
            await lease.ReleaseAsync(cancellationToken: CancellationToken.None)
                .ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }
        return TofuLockResult.Done;
    }

    /// <summary>Releases the lock when <paramref name="info"/>
    /// names its holder; nothing held is released too.</summary>
    public async Task<TofuLockResult> UnlockAsync(string deploymentId, TofuLockInfo info,
        CancellationToken cancellationToken)
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
                await blob.SetMetadataAsync(new Dictionary<string, string>(),
                    new BlobRequestConditions { LeaseId = leaseId }, cancellationToken);
                await blob.GetBlobLeaseClient(leaseId).ReleaseAsync(cancellationToken: cancellationToken);
            }
            else if (holder is not null)
            {
                // Our lease lapsed but nobody took the lock: still ours to clear, unless it changed meanwhile.
                await blob.SetMetadataAsync(new Dictionary<string, string>(),
                    new BlobRequestConditions { IfMatch = properties.ETag }, cancellationToken);
            }
            return TofuLockResult.Done;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return new TofuLockResult(TofuLockOutcome.HeldByOther,
                await HolderInfoAsync(deploymentId, cancellationToken));
        }
    }

    /// <summary>
    /// What the run of <paramref name="execution"/> finds: its own lock (renewed here, so a slow apply keeps it; a
    /// lapsed lease is left alone, since renewing it would resurrect the lock of a dead process),
    /// its own lock with a wipe's request to stop, no live lock, or another execution's lock — it is no longer current.
    /// </summary>
    public async Task<TofuLockCheck> RenewLockAsync(string deploymentId, string execution,
        CancellationToken cancellationToken)
    {
        var blob = Blob(deploymentId);
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            if (properties.LeaseState != LeaseState.Leased || Holder(properties.Metadata) is not { } holder)
                return TofuLockCheck.Free;
            if (holder.Tag?.Execution != execution) return TofuLockCheck.TakenOver;
            await blob.GetBlobLeaseClient(TofuLockInfo.LeaseIdFor(holder.Info.Id).ToString())
                .RenewAsync(cancellationToken: cancellationToken);
            return properties.Metadata.ContainsKey(StopKey) ? TofuLockCheck.StopRequested : TofuLockCheck.Renewed;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return TofuLockCheck.Free;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // The lease changed hands between the read and the renewal.
            return TofuLockCheck.TakenOver;
        }
    }

    /// <summary>
    /// Asks the apply that holds the lock to stop (a wipe): its runner sees the request at its next renewal and
    /// interrupts tofu, which saves state and unlocks. False when no apply holds a live lock.
    /// </summary>
    public async Task<bool> RequestStopAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var blob = Blob(deploymentId);
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            if (properties.LeaseState != LeaseState.Leased
                || Holder(properties.Metadata) is not { Tag.Operation: TofuRunTag.Apply } holder) return false;
            var metadata =
                new Dictionary<string, string>(properties.Metadata) { [StopKey] = clock.GetUtcNow().ToString("o") };
            await blob.SetMetadataAsync(metadata,
                new BlobRequestConditions { LeaseId = TofuLockInfo.LeaseIdFor(holder.Info.Id)
                    .ToString(), IfMatch = properties.ETag },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            return false;
        }
    }

    /// <summary>
    /// Releases the lock if <paramref name="execution"/> still holds it: its tofu has exited (or was killed after
    /// the interrupt grace) without unlocking, so the activity is provably done with it.
    /// </summary>
    public async Task ReleaseIfHeldByAsync(string deploymentId, string execution, CancellationToken cancellationToken)
    {
        var blob = Blob(deploymentId);
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            if (Holder(properties.Metadata) is not { } holder || holder.Tag?.Execution != execution) return;
            await UnlockAsync(deploymentId, holder.Info, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            // gone, or somebody else's now
        }
    }

    /// <summary>Who holds the lock now: null when no lease is live
    /// (the metadata may still name the last holder).</summary>
    public async Task<TofuLockHolder?> LiveHolderAsync(string deploymentId, CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await Blob(deploymentId).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return properties.LeaseState == LeaseState.Leased ? Holder(properties.Metadata) : null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
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
        if (!TofuLockInfo.TryParse(raw, out var info)) return null;
        TofuRunTag.TryParse(metadata.TryGetValue(OperationKey, out var op) ? op : null,
            metadata.TryGetValue(RunKey, out var run) ? run : null,
            metadata.TryGetValue(ExecutionKey, out var exec) ? exec : null, out var tag);
        return new TofuLockHolder(info!, metadata.TryGetValue(HostKey, out var host) ? host : "",
            metadata.TryGetValue(SinceKey, out var since) ? since : "", tag);
    }

    Task RecordTakeoverAsync(string deploymentId, TofuLockHolder previous, string reason,
        CancellationToken cancellationToken)
    {
        if (events is null) return Task.CompletedTask;
        var who = previous.Info.Who.Length > 200 ? previous.Info.Who[..200] : previous.Info.Who;
        var message =
            $"Took over the tofu state lock of {(who.Length > 0 ? who : "an unnamed holder")} " +
            $"(lock {previous.Info.Id}, " +
                      $"{previous.Info.Operation}, held since {previous.Since} via {previous.Host}): {reason}";
        return events.AppendAsync(deploymentId,
        [
            new DeploymentEvent
            {
                Key = $"tofu-lock-takeover:{previous.Info.Id}",
                Phase = Phases.Tofu,
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
            await blob.UploadAsync(BinaryData.Empty,
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // it exists (and may be leased): fine
        }
    }
}

/// <summary>The lock's holder as recorded in the state blob's metadata:
/// tofu's lock info, the app host that granted it, and when.</summary>
public sealed record TofuLockHolder(TofuLockInfo Info, string Host, string Since, TofuRunTag? Tag = null);
