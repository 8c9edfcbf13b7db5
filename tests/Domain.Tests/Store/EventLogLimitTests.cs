using Azure.Storage.Blobs;
using Catalyst.Domain.Configuration;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Store;

/// <summary>The timeline past one append blob's worth of appends, and past its cap, against a real Azurite.</summary>
public class EventLogLimitTests
{
    static async Task<BlobServiceClient> Blobs() => new((await AzuriteServer.Shared).ConnectionString);

    static DeploymentEvent Event(string id, int n) => DeploymentEvent.Info($"{id}:e{n}", "tofu", $"line {n}", DateTimeOffset.UnixEpoch.AddSeconds(n));

    [Fact]
    public async Task AppendsRollIntoNewSegmentsAndEveryReaderSeesEveryEventInOrder()
    {
        var blobs = await Blobs();
        var options = new EventLogOptions { SegmentMaxBlocks = 3 };
        var id = DeploymentId.New();
        var writerA = new EventLog(blobs, Redactor.None, options);
        var writerB = new EventLog(blobs, Redactor.None, options);
        // Two writers in turn (as two replicas would): each append is one block; 11 appends make four segments.
        for (var n = 0; n < 11; n++)
        {
            var batch = n == 5 ? [Event(id, 50), Event(id, 51)] : new[] { Event(id, n) };
            await (n % 2 == 0 ? writerA : writerB).AppendAsync(id, batch, default);
        }
        await writerA.AppendAsync(id, [Event(id, 3)], default); // already logged: dropped, in whichever segment it is

        var container = blobs.GetBlobContainerClient(EventLog.ContainerName);
        Assert.True(await container.GetBlobClient($"{id}.jsonl").ExistsAsync());
        Assert.True(await container.GetBlobClient($"{id}.3.jsonl").ExistsAsync());
        Assert.False(await container.GetBlobClient($"{id}.4.jsonl").ExistsAsync());

        var expected = new[] { "e0", "e1", "e2", "e3", "e4", "e50", "e51", "e6", "e7", "e8", "e9", "e10" };
        var fresh = new EventLog(blobs, Redactor.None, options);
        var all = await fresh.ReadAsync(id);
        Assert.Equal(expected, all.Select(e => e.Key[(id.Length + 1)..]));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), all.Select(e => e.Seq));
        Assert.Equal(12, await fresh.CountAsync(id));
        Assert.Equal(["e8", "e9", "e10"], (await fresh.ReadAsync(id, afterSeq: 8)).Select(e => e.Key[(id.Length + 1)..]));
        // A reader that had caught up follows the next rollover too.
        await writerB.AppendAsync(id, [Event(id, 11)], default);
        await writerB.AppendAsync(id, [Event(id, 12)], default);
        Assert.Equal([12L, 13L], (await fresh.ReadAsync(id, afterSeq: 11)).Select(e => e.Seq));

        await fresh.DeleteAsync(id);
        Assert.Empty(await new EventLog(blobs, Redactor.None, options).ReadAsync(id));
        Assert.False(await container.GetBlobClient($"{id}.3.jsonl").ExistsAsync());
    }

    [Fact]
    public async Task PastTheCapWritesSucceedOneWarningIsRecordedAndNothingMore()
    {
        var blobs = await Blobs();
        var options = new EventLogOptions { MaxPerDeployment = 5, SegmentMaxBlocks = 2 };
        var id = DeploymentId.New();
        var log = new EventLog(blobs, Redactor.None, options);
        await log.AppendAsync(id, [Event(id, 0), Event(id, 1), Event(id, 2)], default);
        await log.AppendAsync(id, [Event(id, 3), Event(id, 4), Event(id, 5)], default); // 3 fits; 4 and 5 make way for the warning
        for (var n = 6; n < 20; n++) await log.AppendAsync(id, [Event(id, n)], default);
        await new EventLog(blobs, Redactor.None, options).AppendAsync(id, [Event(id, 99)], default); // another replica, a fresh view

        var all = await new EventLog(blobs, Redactor.None, options).ReadAsync(id);
        Assert.Equal(5, all.Count);
        Assert.Equal(["e0", "e1", "e2", "e3"], all.Take(4).Select(e => e.Key[(id.Length + 1)..]));
        var warning = all[^1];
        Assert.Equal((EventLog.CappedKey(id), EventLevels.Warn, 4L, "tofu"), (warning.Key, warning.Level, warning.Seq, warning.Phase));
        Assert.Contains("CATALYST_EVENTS_MAX_PER_DEPLOYMENT", warning.Message);
    }

    [Fact]
    public void SettingsHaveDefaultsBelowAzuresLimitAndAMalformedOneIsNamed()
    {
        var defaults = EventLogOptions.From(_ => null);
        Assert.Equal((100_000L, 45_000), (defaults.MaxPerDeployment, defaults.SegmentMaxBlocks));
        Assert.Contains("CATALYST_EVENTS_SEGMENT_MAX_APPENDS", Assert.Throws<SettingException>(() => EventLogOptions.From(k => k == "CATALYST_EVENTS_SEGMENT_MAX_APPENDS" ? "50001" : null)).Message);
        Assert.Contains("CATALYST_EVENTS_MAX_PER_DEPLOYMENT", Assert.Throws<SettingException>(() => EventLogOptions.From(k => k == "CATALYST_EVENTS_MAX_PER_DEPLOYMENT" ? "many" : null)).Message);
    }
}
