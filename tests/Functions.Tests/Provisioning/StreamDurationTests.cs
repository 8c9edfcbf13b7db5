using System.Diagnostics;
using Catalyst.Testing;
using Xunit.Abstractions;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>
/// Issue 19: an SSE response ends before the Functions host's functionTimeout would restart the worker, and the client
/// resumes where it left off. Standalone ends streams the same way, so this runs here.
/// </summary>
public class StreamDurationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ALogStreamEndsAfterItsMaximumDurationAndTheClientResumesAfterItsLastEventId()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        // The apply stalls after one creation: the deployment stays in Phase 0, so only the duration can end the stream.
        world.Settings["FAKE_TOFU_HANG_AFTER_CREATES"] = "1";
        world.Settings["CATALYST_SSE_MAX_DURATION"] = "00:00:03";
        var app = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync("sselife", b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.sselife.example"; });
        await world.WaitForCreationsAsync(id, 1);

        var clock = Stopwatch.StartNew();
        var first = await app.Http.GetStringAsync($"/api/v1/deployments/{id}/logs");
        output.WriteLine($"first stream ended after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(15));
        Assert.DoesNotContain("event: done", first);
        Assert.Contains("retry: 1000", first);
        var ids = Ids(first);
        Assert.NotEmpty(ids);

        // What EventSource does on its own: reconnect with the last id it saw.
        await world.EventsAsync(id); // (the timeline may grow meanwhile; the resumed stream must hold only what is new)
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deployments/{id}/logs");
        request.Headers.Add("Last-Event-ID", ids[^1].ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await app.Http.SendAsync(request);
        var second = await response.Content.ReadAsStringAsync();
        Assert.Contains("retry: 1000", second);
        Assert.All(Ids(second), i => Assert.True(i > ids[^1], $"event {i} was sent again after Last-Event-ID {ids[^1]}"));
    }

    static List<long> Ids(string body) =>
        body.Split('\n').Where(l => l.StartsWith("id: ", StringComparison.Ordinal)).Select(l => long.Parse(l[4..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
}
