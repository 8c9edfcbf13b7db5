using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Catalyst.Domain.Dns;
using Catalyst.Domain.Subdomains;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>Issue 15 through the real HTTP host: DNS belongs to whoever published it.</summary>
public sealed class DnsOwnershipTests
{
    [Fact]
    public async Task AWipeRemovesExactlyItsRecordsAndADriftedZoneKeepsTheConcurrentEdit()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(300));
        world.Settings["CATALYST_WIPE_WAIT"] = "90s";
        var app = await world.StartAppAsync();
        var zone = world.Dynadot.ZoneOf("omani.works");
        zone.Main.Add(new FakeDynadot.Record("", "MX", "mx1.mail.example", "10"));
        zone.Sub.Add(new FakeDynadot.Record("www", "CNAME", "omani.works"));

        var id = await world.CreateDeploymentAsync("owned");
        await world.WaitForStatusAsync(id, "ready");
        var ours = zone.Sub.Where(r => r.Host == "owned" || r.Host.EndsWith(".owned", StringComparison.Ordinal)).ToList();
        Assert.Equal(7, ours.Count);
        // The name became permanent only once the apply had succeeded.
        var reservation = await new SubdomainReservations(new BlobServiceClient(world.Azurite.ConnectionString), TimeSpan.FromMinutes(30)).GetAsync("omani.works", "owned", default);
        Assert.Equal((Reservation.Active, id), (reservation!.State, reservation.DeploymentId));

        // Added by someone else after the publish, on the Sovereign's own names: another value, another type.
        zone.Sub.AddRange([new("console.owned", "A", "198.51.100.77"), new("owned", "TXT", "site-verification=abc")]);
        var theirs = zone.Sub.Except(ours).ToList();
        // And a person edits the zone between the wipe's read and its rewrite: the first attempt must not write.
        var edit = new FakeDynadot.Record("concurrent", "A", "198.51.100.5");
        var reads = 0;
        world.Dynadot.Intercept = q =>
        {
            if (q["command"] == "get_dns" && Interlocked.Increment(ref reads) == 2) zone.Sub.Add(edit);
            return null;
        };

        using var wipe = await app.Http.PostAsync($"/api/v1/deployments/{id}/wipe", null);
        var answer = (await wipe.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(HttpStatusCode.OK, wipe.StatusCode);
        Assert.Equal("wiped", answer["status"]!.GetValue<string>());
        Assert.Equal(7, answer["report"]!["dnsRemoved"]!.AsArray().Count);

        Assert.Equal([new FakeDynadot.Record("", "MX", "mx1.mail.example", "10")], zone.Main);
        Assert.Equal([.. theirs, edit], zone.Sub);
        // The drifted attempt wrote nothing; the retry (the activity's retry policy) wrote once, from the new zone.
        Assert.True(reads >= 4, $"{reads} zone reads");
        Assert.Single(world.Dynadot.CallsOf("set_dns2"), c => c["add_dns_to_current_setting"] is null);

        // A copy of the zone before each attempt's rewrite.
        var backups = new List<string>();
        await foreach (var blob in new BlobServiceClient(world.Azurite.ConnectionString).GetBlobContainerClient(BlobDnsLedger.BackupContainer)
                           .GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "omani.works/", default))
            if (blob.Name.Contains(id, StringComparison.Ordinal)) backups.Add(blob.Name);
        Assert.Equal(2, backups.Count);
    }
}
