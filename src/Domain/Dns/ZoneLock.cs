using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;

namespace Catalyst.Domain.Dns;

/// <summary>Serialises DNS writes to one pool domain across every replica.</summary>
public interface IZoneLock
{
    Task<IAsyncDisposable> AcquireAsync(string domain, CancellationToken cancellationToken);
}

/// <summary>
/// A blob lease per pool domain. Needed because removal is read-modify-write over the whole zone: a publish for
/// another Sovereign that lands between our read and our rewrite would be wiped by it. Dynadot has no conditional
/// write, so we make the writers take turns. The lease is short and renewed while held, so a killed holder frees
/// the zone within <see cref="LeaseDuration"/>.
/// </summary>
/// <remarks>The same lease serves other "one at a time across replicas" needs under another <paramref name="prefix"/>
/// (a tenant's creates, so the per-owner limit is counted by one request at a time).</remarks>
public sealed class BlobZoneLock(BlobServiceClient blobs, string containerName = BlobZoneLock.Container,
    string prefix = BlobZoneLock.ZonePrefix) : IZoneLock
{
    public const string Container = "reservations";
    // "_" cannot start a DNS name, so these never collide with reservation paths.
    public const string ZonePrefix = "_zone-locks/";
    public const string OwnerPrefix = "_owner-locks/";
    static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);
    static readonly TimeSpan WaitAtMost = TimeSpan.FromMinutes(3);

    public async Task<IAsyncDisposable> AcquireAsync(string domain, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(containerName);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var blob = container.GetBlobClient(prefix + domain);
        try
        {
            await blob.UploadAsync(BinaryData.FromString(domain), overwrite: false, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // exists already, or leased by someone right now: either way it is there
        }

        var lease = blob.GetBlobLeaseClient();
        var deadline = DateTimeOffset.UtcNow + WaitAtMost;
        while (true)
        {
            try
            {
                await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
                return new Held(lease);
            }
            catch (RequestFailedException e) when (e.Status == 409 && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                throw new TimeoutException($"{prefix}{domain} stayed locked for {WaitAtMost.TotalMinutes:0} minutes",
                    e);
            }
        }
    }

    sealed class Held : IAsyncDisposable
    {
        readonly BlobLeaseClient lease;
        readonly CancellationTokenSource stop = new();
        readonly Task renewing;

        public Held(BlobLeaseClient lease)
        {
            this.lease = lease;
            renewing = RenewAsync();
        }

        async Task RenewAsync()
        {
            try
            {
                while (true)
                {
                    await Task.Delay(LeaseDuration / 3, stop.Token);
                    await lease.RenewAsync(cancellationToken: stop.Token);
                }
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // released
            }
            catch (RequestFailedException)
            {
                // Lost the lease (storage hiccup longer than the lease): the writer finishes its current call anyway.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await renewing;
            stop.Dispose();
            try
            {
                await lease.ReleaseAsync();
            }
            catch (RequestFailedException)
            {
                // expired already: nothing to release
            }
        }
    }
}
