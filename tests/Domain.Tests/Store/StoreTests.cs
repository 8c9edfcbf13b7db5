using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Domain.Tests.Deployments;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Store;

/// <summary>The blob-backed stores against a real Azurite.</summary>
public class StoreTests
{
    static async Task<BlobServiceClient> Blobs() => new((await AzuriteServer.Shared).ConnectionString);

    static DeploymentRecord Record(string id) => new()
    {
        Id = id, Status = DeploymentStatuses.Provisioning, Request = TestRequests.Valid().Redacted(), StartedAt = DateTimeOffset.UtcNow,
        KubeconfigBearerHash = "hash",
    };

    [Fact]
    public async Task VaultRoundTripsAndStoresNoPlaintext()
    {
        var blobs = await Blobs();
        var vault = new Vault(blobs, RandomNumberGenerator.GetBytes(32));
        var id = DeploymentId.New();
        await vault.PutAsync(id, VaultEntries.HetznerToken, "super-secret-token-value");

        Assert.Equal("super-secret-token-value", await vault.GetStringAsync(id, VaultEntries.HetznerToken));
        Assert.Null(await vault.GetStringAsync(id, VaultEntries.Kubeconfig));
        var raw = (await blobs.GetBlobContainerClient("vault").GetBlobClient($"{id}/{VaultEntries.HetznerToken}").DownloadContentAsync()).Value.Content.ToString();
        Assert.DoesNotContain("super-secret", raw);

        await vault.PurgeAsync(id);
        Assert.Null(await vault.GetStringAsync(id, VaultEntries.HetznerToken));
    }

    [Fact]
    public async Task VaultCiphertextIsBoundToItsPathAndKey()
    {
        var blobs = await Blobs();
        var key = RandomNumberGenerator.GetBytes(32);
        var vault = new Vault(blobs, key);
        var (a, b) = (DeploymentId.New(), DeploymentId.New());
        await vault.PutAsync(a, VaultEntries.HetznerToken, "value-of-a");
        var container = blobs.GetBlobContainerClient("vault");
        var copied = (await container.GetBlobClient($"{a}/{VaultEntries.HetznerToken}").DownloadContentAsync()).Value.Content;
        await container.GetBlobClient($"{b}/{VaultEntries.HetznerToken}").UploadAsync(copied, overwrite: true);

        await Assert.ThrowsAnyAsync<CryptographicException>(() => vault.GetAsync(b, VaultEntries.HetznerToken));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => new Vault(blobs, RandomNumberGenerator.GetBytes(32)).GetAsync(a, VaultEntries.HetznerToken));
    }

    [Fact]
    public async Task ConcurrentUpdatesNeverLoseAWrite()
    {
        var store = new DeploymentStore(await Blobs());
        var id = DeploymentId.New();
        Assert.True(await store.CreateAsync(Record(id)));
        Assert.False(await store.CreateAsync(Record(id)));

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => store.UpdateAsync(id, r => r with { Progress = r.Progress + 1 })));

        Assert.Equal(10, (await store.GetAsync(id))!.Progress);
    }

    sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task RecentReadsComeFromMemoryAndAreRefreshedOnceInTheBackground()
    {
        var blobs = await Blobs();
        var clock = new ManualClock();
        var store = new DeploymentStore(blobs, clock);
        var otherReplica = new DeploymentStore(blobs);
        var id = DeploymentId.New();
        Assert.True(await store.CreateAsync(Record(id)));
        var maxAge = TimeSpan.FromSeconds(1);
        await otherReplica.UpdateAsync(id, r => r with { Progress = 7 });

        // Within maxAge: this process's copy, whatever the other replica wrote.
        Assert.Equal(0, (await store.GetRecentAsync(id, maxAge))!.Progress);
        // A little older: still the copy, at once, while one background read fetches the new one.
        clock.Now += TimeSpan.FromSeconds(2);
        Assert.Equal(0, (await store.GetRecentAsync(id, maxAge))!.Progress);
        await store.RefreshedAsync(id);
        Assert.Equal(7, (await store.GetRecentAsync(id, maxAge))!.Progress);

        // Much older: read through.
        await otherReplica.UpdateAsync(id, r => r with { Progress = 8 });
        clock.Now += TimeSpan.FromSeconds(10);
        Assert.Equal(8, (await store.GetRecentAsync(id, maxAge))!.Progress);

        // Deleted elsewhere: the refresh forgets it, and the next read says so.
        await otherReplica.DeleteAsync(id);
        clock.Now += TimeSpan.FromSeconds(2);
        Assert.NotNull(await store.GetRecentAsync(id, maxAge));
        await store.RefreshedAsync(id);
        Assert.Null(await store.GetRecentAsync(id, maxAge));
    }

    [Fact]
    public async Task WithManyRecordsInMemoryOneListingVouchesForTheUnchangedAndTheChangedOneIsReadAgain()
    {
        var blobs = await Blobs();
        var clock = new ManualClock();
        var store = new DeploymentStore(blobs, clock);
        var otherReplica = new DeploymentStore(blobs);
        var ids = Enumerable.Range(0, DeploymentStore.ListingVouchesFrom).Select(_ => DeploymentId.New()).ToList();
        foreach (var id in ids) Assert.True(await store.CreateAsync(Record(id)));
        var (changed, unchanged) = (ids[0], ids[1]);
        await otherReplica.UpdateAsync(changed, r => r with { Progress = 7 });

        // Two seconds old: the copy at once, and one listing (not a read of each) checks every copy in the background.
        clock.Now += TimeSpan.FromSeconds(2);
        Assert.Equal(0, (await store.GetRecentAsync(changed, TimeSpan.FromSeconds(1)))!.Progress);
        await store.ListedAsync();
        await store.RefreshedAsync(changed);
        Assert.Equal(7, (await store.GetRecentAsync(changed, TimeSpan.FromSeconds(1)))!.Progress);
        Assert.Equal(1, store.ReadsInBackground); // only the changed record was read again

        // The listing vouched for the unchanged copy as of its start: 1.5 s later that copy is 1.5 s old, not 3.5 s,
        // so it is still the answer (a read-through would bring the other replica's write made after the listing).
        await otherReplica.UpdateAsync(unchanged, r => r with { Progress = 9 });
        clock.Now += TimeSpan.FromSeconds(1.5);
        Assert.Equal(0, (await store.GetRecentAsync(unchanged, TimeSpan.FromSeconds(1)))!.Progress);
        await store.ListedAsync();
        await store.RefreshedAsync(unchanged);
        Assert.Equal(9, (await store.GetRecentAsync(unchanged, TimeSpan.FromSeconds(1)))!.Progress);
    }

    [Fact]
    public async Task ACorruptRecordIsSkippedNotFatal()
    {
        var blobs = await Blobs();
        var store = new DeploymentStore(blobs);
        var good = DeploymentId.New();
        var bad = DeploymentId.New();
        await store.CreateAsync(Record(good));
        await blobs.GetBlobContainerClient("deployments").GetBlobClient($"{bad}.json").UploadAsync(BinaryData.FromString("{not json"), overwrite: true);

        var corrupt = new List<string>();
        var (items, _) = await store.ListAsync(0, 1000, (id, _) => corrupt.Add(id));

        Assert.Contains(items, r => r.Id == good);
        Assert.Equal([bad], corrupt);
        Assert.Null(await store.GetAsync("../../etc"));
    }

    [Fact]
    public async Task EventLogDropsRepeatedKeysAcrossWritersAndKeepsOrder()
    {
        var blobs = await Blobs();
        var id = DeploymentId.New();
        var writerA = new EventLog(blobs, Redactor.None);
        var writerB = new EventLog(blobs, Redactor.None);
        DeploymentEvent E(string key) => DeploymentEvent.Info(key, "tofu", $"line {key}", DateTimeOffset.UtcNow);

        await Task.WhenAll(
            writerA.AppendAsync(id, [E("a1"), E("a2")], CancellationToken.None),
            writerB.AppendAsync(id, [E("b1")], CancellationToken.None));
        await writerB.AppendAsync(id, [E("a1"), E("b2")], CancellationToken.None);
        await writerA.AppendAsync(id, [E("b1")], CancellationToken.None);

        var read = await new EventLog(blobs, Redactor.None).ReadAsync(id);
        Assert.Equal(["a1", "a2", "b1", "b2"], read.Select(e => e.Key).Order());
        Assert.Equal(Enumerable.Range(0, 4).Select(i => (long)i), read.Select(e => e.Seq));
        Assert.Equal(["b2"], (await writerA.ReadAsync(id, afterSeq: 2)).Select(e => e.Key));
    }

    [Fact]
    public async Task EventLogKeepsTheNewestTenThousandOldestDroppedFirst()
    {
        var blobs = await Blobs();
        var id = DeploymentId.New();
        var log = new EventLog(blobs, Redactor.None);
        var events = Enumerable.Range(0, EventLog.Cap + 50)
            .Select(i => DeploymentEvent.Info($"k{i}", "tofu", $"line {i}", DateTimeOffset.UtcNow)).ToList();
        foreach (var batch in events.Chunk(2500)) await log.AppendAsync(id, batch, CancellationToken.None);

        var read = await new EventLog(blobs, Redactor.None).ReadAsync(id);
        Assert.Equal(EventLog.Cap, read.Count);
        Assert.Equal(("line 50", $"line {EventLog.Cap + 49}"), (read[0].Message, read[^1].Message));
        Assert.Equal(EventLog.Cap, await log.CountAsync(id));
    }

    [Fact]
    public async Task AnEventCountIsServedUpToThreeSecondsOldWhileOneBackgroundReadCatchesUp()
    {
        var blobs = await Blobs();
        var clock = new ManualClock();
        var id = DeploymentId.New();
        var writer = new EventLog(blobs, Redactor.None);
        var reader = new EventLog(blobs, Redactor.None, cacheClock: clock);
        await writer.AppendAsync(id, [DeploymentEvent.Info("a", "tofu", "one", DateTimeOffset.UtcNow)], default);
        Assert.Equal(1, await reader.CountAsync(id));

        // Another replica appends. Under a second old, the reader's count stands and nothing is read.
        await writer.AppendAsync(id, [DeploymentEvent.Info("b", "tofu", "two", DateTimeOffset.UtcNow)], default);
        clock.Now += TimeSpan.FromMilliseconds(500);
        Assert.Equal(1, await reader.CountAsync(id));
        // Two seconds old: still answered from memory at once, while one background read catches up.
        clock.Now += TimeSpan.FromSeconds(1.5);
        Assert.Equal(1, await reader.CountAsync(id));
        await Wait.ForAsync<object>(async () => await reader.CountAsync(id) == 2 ? true : null, TimeSpan.FromSeconds(10),
            "the background read to bring in the other replica's event");
        // Past three seconds a count is read through.
        await writer.AppendAsync(id, [DeploymentEvent.Info("c", "tofu", "three", DateTimeOffset.UtcNow)], default);
        clock.Now += TimeSpan.FromSeconds(4);
        Assert.Equal(3, await reader.CountAsync(id));
    }

    [Fact]
    public async Task WithManyTimelinesInMemoryOneListingVouchesForTheirCountsAndAGrownOneIsSynced()
    {
        var blobs = await Blobs();
        var clock = new ManualClock();
        var writer = new EventLog(blobs, Redactor.None);
        var reader = new EventLog(blobs, Redactor.None, cacheClock: clock);
        var ids = Enumerable.Range(0, DeploymentStore.ListingVouchesFrom).Select(_ => DeploymentId.New()).ToList();
        foreach (var id in ids)
        {
            await writer.AppendAsync(id, [DeploymentEvent.Info("a", "tofu", "one", DateTimeOffset.UtcNow)], default);
            Assert.Equal(1, await reader.CountAsync(id));
        }
        var (grown, same) = (ids[0], ids[1]);
        await writer.AppendAsync(grown, [DeploymentEvent.Info("b", "tofu", "two", DateTimeOffset.UtcNow)], default);

        clock.Now += TimeSpan.FromSeconds(2);
        Assert.Equal(1, await reader.CountAsync(grown));
        await reader.ListedAsync();
        await Wait.ForAsync<object>(async () => await reader.CountAsync(grown) == 2 ? true : null, TimeSpan.FromSeconds(10),
            "the listing to find the grown timeline and sync it");

        // Vouched as of the listing's start: 1.5 s later the count is 1.5 s old and served, though another event came.
        await writer.AppendAsync(same, [DeploymentEvent.Info("b", "tofu", "two", DateTimeOffset.UtcNow)], default);
        clock.Now += TimeSpan.FromSeconds(1.5);
        Assert.Equal(1, await reader.CountAsync(same));
    }

    [Fact]
    public async Task EventLogRedactsKnownSecrets()
    {
        var blobs = await Blobs();
        var id = DeploymentId.New();
        await new EventLog(blobs, new Redactor(["operator-secret-1"])).AppendAsync(id,
            [DeploymentEvent.Info("k", "tofu", "curl -H 'Authorization: operator-secret-1'", DateTimeOffset.UtcNow)], CancellationToken.None);
        var raw = (await blobs.GetBlobContainerClient("events").GetBlobClient($"{id}.jsonl").DownloadContentAsync()).Value.Content.ToString();
        Assert.DoesNotContain("operator-secret-1", raw);
        Assert.Contains("<redacted>", raw);
    }

    [Fact]
    public async Task IdempotencyKeysHaveOneWinner()
    {
        var keys = new IdempotencyKeys(await Blobs());
        var key = Guid.NewGuid().ToString();
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => keys.ClaimAsync(key, $"id{i}", "body"u8.ToArray())));
        Assert.Single(claims, c => c is null);
        Assert.Single(claims.OfType<IdempotencyKeys.Claim>().Select(c => c.DeploymentId).Distinct());
    }
}
