using Azure.Storage.Blobs;
using Catalyst.Domain.Dns;
using Catalyst.Domain.Subdomains;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Subdomains;

/// <summary>Reservations on Azurite: one winner under contention, idempotent for the owner, expiry, commit, release.</summary>
public class SubdomainReservationsTests
{
    const string Pool = "omani.works";
    const string A = "aaaaaaaaaaaaaaaa";
    const string B = "bbbbbbbbbbbbbbbb";

    static async Task<(SubdomainReservations Store, ManualClock Clock, BlobContainerClient Container)> StoreAsync(TimeSpan? ttl = null)
    {
        var blobs = new BlobServiceClient((await AzuriteServer.Shared).ConnectionString);
        var name = "res" + Guid.NewGuid().ToString("N")[..20];
        var clock = new ManualClock();
        return (new SubdomainReservations(blobs, ttl ?? TimeSpan.FromMinutes(30), clock, name), clock, blobs.GetBlobContainerClient(name));
    }

    [Fact]
    public async Task TwentyConcurrentReservationsHaveExactlyOneWinner()
    {
        var (store, _, _) = await StoreAsync();
        var ids = Enumerable.Range(0, 20).Select(i => $"{i:x16}").ToList();
        var results = await Task.WhenAll(ids.Select(id => Task.Run(() => store.ReserveAsync(Pool, "race", id, default))));

        Assert.Equal(1, results.Count(r => r == ReserveResult.Reserved));
        Assert.Equal(19, results.Count(r => r == ReserveResult.Conflict));
        var winner = ids[Array.IndexOf(results, ReserveResult.Reserved)];
        Assert.Equal(winner, (await store.GetAsync(Pool, "race", default))!.DeploymentId);
    }

    [Fact]
    public async Task TheOwnerReservingAgainSucceedsAndOthersConflict()
    {
        var (store, _, container) = await StoreAsync();
        Assert.Equal(ReserveResult.Reserved, await store.ReserveAsync(Pool, "omantel", A, default));
        Assert.Equal(ReserveResult.Reserved, await store.ReserveAsync(Pool, "omantel", A, default));
        Assert.Equal(ReserveResult.Conflict, await store.ReserveAsync(Pool, "omantel", B, default));
        Assert.Equal(ReserveResult.Reserved, await store.ReserveAsync("openova.io", "omantel", B, default)); // other pool, other name
        Assert.True(await container.GetBlobClient("omani.works/omantel.json").ExistsAsync());
    }

    [Fact]
    public async Task AnExpiredReservationCanBeTakenOverButNotAnActiveOne()
    {
        var (store, clock, _) = await StoreAsync(TimeSpan.FromMinutes(30));
        await store.ReserveAsync(Pool, "stale", A, default);
        await store.ReserveAsync(Pool, "live", A, default);
        await store.CommitAsync(Pool, "live", A, default);

        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(ReserveResult.Conflict, await store.ReserveAsync(Pool, "stale", B, default));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(ReserveResult.Reserved, await store.ReserveAsync(Pool, "stale", B, default));
        Assert.Equal(B, (await store.GetAsync(Pool, "stale", default))!.DeploymentId);
        Assert.Equal(ReserveResult.Conflict, await store.ReserveAsync(Pool, "live", B, default)); // committed names never expire

        // The first owner lost it: it can neither commit nor release it now.
        Assert.Equal(CommitResult.NotOwner, await store.CommitAsync(Pool, "stale", A, default));
        Assert.Equal(ReleaseResult.NotOwner, await store.ReleaseAsync(Pool, "stale", A, default));
    }

    [Fact]
    public async Task ConcurrentTakeOversOfAnExpiredReservationHaveOneWinner()
    {
        var (store, clock, _) = await StoreAsync(TimeSpan.FromMinutes(1));
        await store.ReserveAsync(Pool, "lapsed", A, default);
        clock.Advance(TimeSpan.FromMinutes(2));
        var ids = Enumerable.Range(1, 10).Select(i => $"{i:x16}").ToList();
        var results = await Task.WhenAll(ids.Select(id => Task.Run(() => store.ReserveAsync(Pool, "lapsed", id, default))));
        Assert.Equal(1, results.Count(r => r == ReserveResult.Reserved));
    }

    [Fact]
    public async Task CommitMakesItActiveWithoutExpiry()
    {
        var (store, clock, _) = await StoreAsync();
        Assert.Equal(CommitResult.NotFound, await store.CommitAsync(Pool, "omantel", A, default));
        await store.ReserveAsync(Pool, "omantel", A, default);
        Assert.Equal(CommitResult.NotOwner, await store.CommitAsync(Pool, "omantel", B, default));
        Assert.Equal(CommitResult.Committed, await store.CommitAsync(Pool, "omantel", A, default));
        Assert.Equal(CommitResult.Committed, await store.CommitAsync(Pool, "omantel", A, default));

        var reservation = (await store.GetAsync(Pool, "omantel", default))!;
        Assert.Equal((Reservation.Active, (DateTimeOffset?)null), (reservation.State, reservation.ExpiresAt));
        clock.Advance(TimeSpan.FromDays(400));
        Assert.True(reservation.IsLive(clock.GetUtcNow()));
    }

    [Fact]
    public async Task OnlyTheOwnerReleasesAndReleasingTwiceIsFine()
    {
        var (store, _, _) = await StoreAsync();
        await store.ReserveAsync(Pool, "omantel", A, default);
        Assert.Equal(ReleaseResult.NotOwner, await store.ReleaseAsync(Pool, "omantel", B, default));
        Assert.NotNull(await store.GetAsync(Pool, "omantel", default));
        Assert.Equal(ReleaseResult.Released, await store.ReleaseAsync(Pool, "omantel", A, default));
        Assert.Equal(ReleaseResult.Released, await store.ReleaseAsync(Pool, "omantel", A, default));
        Assert.Null(await store.GetAsync(Pool, "omantel", default));
        Assert.Equal(ReserveResult.Reserved, await store.ReserveAsync(Pool, "omantel", B, default));
    }

    [Theory]
    [InlineData("../x", "omantel", A)]
    [InlineData(Pool, "Bad_Name", A)]
    [InlineData(Pool, "omantel", "not-an-id")]
    public async Task OnlyValidNamesReachStorage(string pool, string sub, string id)
    {
        var (store, _, _) = await StoreAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReserveAsync(pool, sub, id, default));
    }

    [Fact]
    public async Task ZoneLockLetsOneWriterAtATime()
    {
        var blobs = new BlobServiceClient((await AzuriteServer.Shared).ConnectionString);
        var zoneLock = new BlobZoneLock(blobs, "locks" + Guid.NewGuid().ToString("N")[..20]);
        var inside = 0;
        var most = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await using (await zoneLock.AcquireAsync(Pool, default))
            {
                most = Math.Max(most, Interlocked.Increment(ref inside));
                await Task.Yield();
                Interlocked.Decrement(ref inside);
            }
        })));
        Assert.Equal(1, most);
    }
}

/// <summary>A clock tests move by hand.</summary>
public sealed class ManualClock : TimeProvider
{
    DateTimeOffset now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => now;
    public void Advance(TimeSpan by) => now += by;
}
