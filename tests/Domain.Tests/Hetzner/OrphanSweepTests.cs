using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Hetzner;
using Catalyst.Domain.Store;
using Catalyst.Domain.Tests.Deployments;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Hetzner;

/// <summary>The orphan sweep against Azurite (records, vault, events) and the fake Hetzner.</summary>
public sealed class OrphanSweepTests : IDisposable
{
    readonly FakeHetzner hetzner = new(TestRequests.HetznerToken);
    readonly HttpClient http;
    readonly Dictionary<string, HashSet<string>> states = [];

    public OrphanSweepTests() => http = new HttpClient { BaseAddress = new Uri(hetzner.Url + "/") };

    sealed record World(DeploymentStore Store, Vault Vault, EventLog Events);

    static async Task<World> WorldAsync()
    {
        var blobs = new BlobServiceClient((await AzuriteServer.Shared).ConnectionString);
        return new World(new DeploymentStore(blobs), new Vault(blobs, RandomNumberGenerator.GetBytes(32)), new EventLog(blobs, new Redactor([])));
    }

    OrphanSweep Sweep(World world, bool delete = false) => new(world.Store, world.Vault, world.Events, new HetznerSweep(http),
        (record, _) => states.TryGetValue(record.Id, out var state)
            ? Task.FromResult<IReadOnlySet<string>>(state)
            : throw new InvalidOperationException($"state of {record.Id} asked for"),
        new OrphanSweepSettings(OrphanSweepSettings.DefaultSchedule, delete), TimeProvider.System);

    static async Task<string> DeploymentAsync(World world, string status, bool withToken = true)
    {
        var id = DeploymentId.New();
        await world.Store.CreateAsync(new DeploymentRecord
        {
            Id = id, Status = status, Request = TestRequests.Valid().Redacted(), StartedAt = DateTimeOffset.UtcNow, KubeconfigBearerHash = "hash",
        });
        if (withToken) await world.Vault.PutAsync(id, VaultEntries.HetznerToken, TestRequests.HetznerToken);
        return id;
    }

    async Task<IReadOnlyList<DeploymentEvent>> SweepEvents(World world, string id) =>
        (await world.Events.ReadAsync(id)).Where(e => e.Phase == "orphan-sweep").ToList();

    [Fact]
    public async Task AWipedDeploymentsLabelledObjectsAreReportedOnceAndDeletedOnlyWhenEnabled()
    {
        var world = await WorldAsync();
        var id = await DeploymentAsync(world, DeploymentStatuses.Wiped);
        var server = hetzner.Create("servers", "acme-omani-works-cp-1", id);
        var network = hetzner.Create("networks", "acme-omani-works-net", id);
        var someoneElses = hetzner.Create("servers", "other-cp-1", DeploymentId.New());

        Assert.Equal(OrphanSweep.Outcome.Reported, await Sweep(world).SweepAsync(id, default));

        var record = (await world.Store.GetAsync(id))!;
        Assert.Equal(2, record.Orphans!.Count);
        Assert.Equal([$"networks/{network.Id} acme-omani-works-net", $"servers/{server.Id} acme-omani-works-cp-1"], record.Orphans.Objects);
        Assert.Equal(0, record.Orphans.Deleted);
        var reported = Assert.Single(await SweepEvents(world, id));
        Assert.Equal(EventLevels.Warn, reported.Level);
        Assert.Contains($"servers/{server.Id}", reported.Message);
        Assert.Contains("CATALYST_ORPHAN_SWEEP_DELETE=true", reported.Message);
        Assert.Equal(3, hetzner.Objects.Count);

        // The same finding again writes nothing: not the record, not the timeline.
        Assert.Equal(OrphanSweep.Outcome.Unchanged, await Sweep(world).SweepAsync(id, default));
        var again = (await world.Store.GetAsync(id))!;
        Assert.Equal((record.UpdatedAt, record.Orphans.SweptAt), (again.UpdatedAt, again.Orphans!.SweptAt));
        Assert.Single(await SweepEvents(world, id));

        // With deletion on, a wiped deployment's orphans go; nobody else's objects are touched.
        Assert.Equal(OrphanSweep.Outcome.Reported, await Sweep(world, delete: true).SweepAsync(id, default));
        Assert.Equal([someoneElses.Id], hetzner.Objects.Select(o => o.Id));
        Assert.Equal(2, (await world.Store.GetAsync(id))!.Orphans!.Deleted);
        Assert.Contains(await SweepEvents(world, id), e => e.Message.StartsWith("Orphan sweep deleted 2 of 2", StringComparison.Ordinal));

        // The next sweep finds nothing and says so once; after that, nothing changes.
        Assert.Equal(OrphanSweep.Outcome.Reported, await Sweep(world, delete: true).SweepAsync(id, default));
        Assert.Equal(0, (await world.Store.GetAsync(id))!.Orphans!.Count);
        var events = (await SweepEvents(world, id)).Count;
        Assert.Equal(OrphanSweep.Outcome.Unchanged, await Sweep(world, delete: true).SweepAsync(id, default));
        Assert.Equal(events, (await SweepEvents(world, id)).Count);
    }

    [Fact]
    public async Task ALiveDeploymentsOrphansAreWhatItsStateLacksAndAreNeverDeleted()
    {
        var world = await WorldAsync();
        var id = await DeploymentAsync(world, DeploymentStatuses.Ready);
        hetzner.Create("networks", "acme-omani-works-net", id);
        var lost = hetzner.Create("servers", "acme-omani-works-worker-2", id);
        var volume = hetzner.Create("volumes", "pvc-data", id);
        states[id] = ["hcloud_network.this", "hcloud_server.control_plane[0]", "hcloud_server.worker[0]"];

        Assert.Equal(OrphanSweep.Outcome.Reported, await Sweep(world, delete: true).SweepAsync(id, default));

        var orphans = (await world.Store.GetAsync(id))!.Orphans!;
        Assert.Equal([$"servers/{lost.Id} acme-omani-works-worker-2", $"volumes/{volume.Id} pvc-data"], orphans.Objects);
        Assert.Equal(0, orphans.Deleted);
        Assert.Equal(3, hetzner.Objects.Count);
        Assert.Contains("not deleted: the deployment is live", Assert.Single(await SweepEvents(world, id)).Message);
    }

    [Fact]
    public async Task RunsInProgressAndDeploymentsWithoutATokenAreLeftAlone()
    {
        var world = await WorldAsync();
        var provisioning = await DeploymentAsync(world, DeploymentStatuses.Provisioning);
        var wiping = await DeploymentAsync(world, DeploymentStatuses.Wiping);
        var purged = await DeploymentAsync(world, DeploymentStatuses.Wiped, withToken: false);
        foreach (var id in new[] { provisioning, wiping, purged }) hetzner.Create("servers", $"x-{id}", id);

        foreach (var id in new[] { provisioning, wiping, purged })
        {
            Assert.Equal(OrphanSweep.Outcome.Skipped, await Sweep(world, delete: true).SweepAsync(id, default));
            Assert.Null((await world.Store.GetAsync(id))!.Orphans);
        }
        Assert.Equal(3, hetzner.Objects.Count);
        // The whole sweep visits only deployments whose token is in the vault.
        var all = await Sweep(world).SweepAllAsync(default);
        Assert.False(all.ContainsKey(purged));
        Assert.Equal(OrphanSweep.Outcome.Skipped, all[provisioning]);
    }

    [Fact]
    public async Task ASweepThatCannotReachHetznerSaysWhyAndTriesAgainNextTime()
    {
        var world = await WorldAsync();
        var id = await DeploymentAsync(world, DeploymentStatuses.Failed);
        var server = hetzner.Create("servers", "acme-omani-works-cp-1", id);
        hetzner.FailWith = 503;

        Assert.Equal(OrphanSweep.Outcome.Failed, await Sweep(world).SweepAsync(id, default));
        Assert.Equal(OrphanSweep.Outcome.Failed, await Sweep(world).SweepAsync(id, default));

        var failed = Assert.Single(await SweepEvents(world, id));
        Assert.Contains("HTTP 503", failed.Message);
        Assert.Contains("tries again at the next sweep", failed.Message);
        Assert.Contains("HTTP 503", (await world.Store.GetAsync(id))!.Orphans!.Error);

        hetzner.FailWith = null;
        Assert.Equal(OrphanSweep.Outcome.Reported, await Sweep(world).SweepAsync(id, default));
        var orphans = (await world.Store.GetAsync(id))!.Orphans!;
        Assert.Null(orphans.Error);
        Assert.Equal([$"servers/{server.Id} acme-omani-works-cp-1"], orphans.Objects);
    }

    public void Dispose()
    {
        http.Dispose();
        hetzner.Dispose();
    }
}
