using Azure.Storage.Blobs;
using Catalyst.Domain.Dns;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Dns;

/// <summary>Issue 15: the records each deployment published, and zone copies, in blob storage (Azurite).</summary>
public class BlobDnsLedgerTests
{
    static async Task<(BlobDnsLedger Ledger, BlobServiceClient Blobs, string Backups)> LedgerAsync()
    {
        var blobs = new BlobServiceClient((await AzuriteServer.Shared).ConnectionString);
        var suffix = Guid.NewGuid().ToString("N")[..16];
        return (new BlobDnsLedger(blobs, null, "pub" + suffix, "bak" + suffix), blobs, "bak" + suffix);
    }

    [Fact]
    public async Task AddsOnceRemovesExactlyAndKeepsPoolsApart()
    {
        var (ledger, _, _) = await LedgerAsync();
        const string id = "0123456789abcdef";
        Assert.Empty(await ledger.PublishedAsync(id, "omani.works", default));

        await ledger.AddAsync(id, "omani.works", [new("a", "A", "203.0.113.7"), new("b", "A", "203.0.113.7")], default);
        await ledger.AddAsync(id, "omani.works", [new("A", "a", "203.0.113.7")], default); // the same record again: kept once
        await ledger.AddAsync(id, "openova.io", [new("c", "A", "203.0.113.7")], default);
        Assert.Equal(["a", "b"], (await ledger.PublishedAsync(id, "omani.works", default)).Select(r => r.Host));

        await ledger.RemoveAsync(id, "omani.works", [new("b", "A", "203.0.113.8"), new("a", "A", "203.0.113.7")], default);
        Assert.Equal(["b"], (await ledger.PublishedAsync(id, "omani.works", default)).Select(r => r.Host));
        Assert.Single(await ledger.PublishedAsync(id, "openova.io", default));
        Assert.Empty(await ledger.PublishedAsync("fedcba9876543210", "omani.works", default));
    }

    [Fact]
    public async Task EachBackupIsItsOwnBlobWithTheWholeZone()
    {
        var (ledger, blobs, container) = await LedgerAsync();
        var zone = new DynadotZone("Dynadot DNS", "300", [new ZoneRecord("", "MX", "mx.example", "10")], [new ZoneRecord("www", "A", "203.0.113.7")]);
        var first = await ledger.BackupAsync("omani.works", zone, "0123456789abcdef", default);
        var second = await ledger.BackupAsync("omani.works", zone, "0123456789abcdef", default);

        Assert.NotEqual(first, second);
        Assert.StartsWith("omani.works/", first);
        var text = (await blobs.GetBlobContainerClient(container).GetBlobClient(first).DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("mx.example", text);
        Assert.Contains("www", text);
    }

    [Fact]
    public async Task OnlyDeploymentIdsReachABlobPath()
    {
        var (ledger, _, _) = await LedgerAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => ledger.PublishedAsync("../x", "omani.works", default));
    }
}
