using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Limits;

/// <summary>
/// The limits through the real standalone app (issue 15): hostile clients that open many streams, and a hostile
/// Sovereign whose API server streams a watch line of 100 MB.
/// </summary>
public sealed class LimitsEndToEndTests : IAsyncLifetime
{
    AzuriteServer azurite = null!;
    readonly List<IAsyncDisposable> owned = [];

    public async Task InitializeAsync() => azurite = await AzuriteServer.Shared;

    public async Task DisposeAsync()
    {
        foreach (var item in Enumerable.Reverse(owned)) await item.DisposeAsync();
    }

    async Task<AppProcess> StartAppAsync(params (string Name, string Value)[] extra)
    {
        // A sandbox: the Sovereign here is a loopback fake, which only a sandbox may reach (issue 15).
        var settings = AppProcess.Sandboxed(AppProcess.TestSettings(azurite, AppProcess.UniqueHubName("limits")));
        foreach (var (name, value) in extra) settings[name] = value;
        var app = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings);
        owned.Add(app);
        await app.WaitHealthyAsync();
        return app;
    }

    /// <summary>A deployment waiting for its kubeconfig, as the provisioning workflow leaves it; its bearer.</summary>
    async Task<(string Id, string Bearer)> WaitingDeploymentAsync()
    {
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        var id = DeploymentId.New();
        var bearer = KubeconfigBearer.New();
        Assert.True(await new DeploymentStore(blobs).CreateAsync(new DeploymentRecord
        {
            Id = id, Status = DeploymentStatuses.Phase1Watching, Request = new DeploymentRequest { SovereignFqdn = "acme.omani.works" },
            StartedAt = DateTimeOffset.UtcNow, KubeconfigBearerHash = KubeconfigBearer.Hash(bearer),
        }));
        return (id, bearer);
    }

    [Fact]
    public async Task TheTwentyFirstStreamFromOneClientIs429AndAResumedStreamGetsExactlyWhatItMissed()
    {
        var app = await StartAppAsync();
        var (id, _) = await WaitingDeploymentAsync();
        await new EventLog(new BlobServiceClient(azurite.ConnectionString), Redactor.None).AppendAsync(id,
            [.. Enumerable.Range(0, 4).Select(n => DeploymentEvent.Info($"{id}:e{n}", "tofu", $"line {n}", DateTimeOffset.UtcNow))], default);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 100 }) { BaseAddress = app.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var response = await http.GetAsync($"/api/v1/deployments/{id}/logs", HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                open.Add(response);
            }
            using (var refused = await http.GetAsync($"/api/v1/deployments/{id}/logs", HttpCompletionOption.ResponseHeadersRead))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
                Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
                var body = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
                Assert.Equal("too-many-streams", body["error"]!.GetValue<string>());
                Assert.Contains("limit per client", body["detail"]!.GetValue<string>());
            }
            // A forwarded-for header names nobody: the connection's address is the client.
            using (var disguised = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deployments/{id}/logs"))
            {
                disguised.Headers.Add("X-Forwarded-For", "203.0.113.7");
                using var refused = await http.SendAsync(disguised, HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            }

            // Every one of the 20 streams replays the same timeline from the shared poll.
            foreach (var response in open.Take(3))
                Assert.Equal(["0", "1", "2", "3"], await EventIdsAsync(response, 4));

            // One stream closes; its place is free once the server sees it go.
            open[0].Dispose();
            open.RemoveAt(0);
            using var resumed = await Wait.ForAsync(async () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deployments/{id}/logs");
                request.Headers.Add("Last-Event-ID", "1");
                var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                if (response.StatusCode == HttpStatusCode.OK) return response;
                response.Dispose();
                return null;
            }, TimeSpan.FromSeconds(10), "a stream's place to be free again");
            Assert.Equal(["2", "3"], await EventIdsAsync(resumed, 2));
        }
        finally
        {
            foreach (var response in open) response.Dispose();
        }
    }

    static async Task<List<string>> EventIdsAsync(HttpResponseMessage response, int count)
    {
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var ids = new List<string>();
        while (ids.Count < count && await reader.ReadLineAsync(timeout.Token) is { } line)
            if (line.StartsWith("id: ", StringComparison.Ordinal)) ids.Add(line[4..]);
        return ids;
    }

    [Fact]
    public async Task AWatchLineOf100MegabytesDoesNotGrowTheAppAndStopsTheKindWithAWarning()
    {
        var api = await FakeCachedKindsApi.StartAsync();
        owned.Add(api);
        const long HugeLine = 100L * 1024 * 1024;
        api.HugeWatchLines[FakeCachedKindsApi.Pods] = HugeLine;
        api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("prod", "web-1", new() { ["app"] = "web" }));
        var app = await StartAppAsync();
        var (id, bearer) = await WaitingDeploymentAsync();
        var baseline = ResidentBytes(app.Id);

        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/deployments/{id}/kubeconfig") { Content = new StringContent(api.Kubeconfig()) })
        {
            put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            using var response = await app.Http.SendAsync(put);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        // Sample the app's memory while the line streams in, until the kind is stopped.
        var peak = baseline;
        await Wait.UntilAsync(() =>
        {
            peak = Math.Max(peak, ResidentBytes(app.Id));
            return app.Output.Contains($"Cluster {id}: pod stopped: a watch line is longer than", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), "the app to stop the pod kind with a warning");
        peak = Math.Max(peak, ResidentBytes(app.Id));
        // Without the bounded reader this app grows by some 480 MiB here (the line as bytes, then as a string).
        Assert.True(peak - baseline < 80L * 1024 * 1024, $"the app grew by {(peak - baseline) >> 20} MiB reading a {HugeLine >> 20} MiB watch line");

        // The deployment's timeline says so, once; the other kinds are still served.
        var events = await Wait.ForAsync(async () =>
        {
            var body = JsonNode.Parse(await app.Http.GetStringAsync($"/api/v1/deployments/{id}/events"))!;
            var refused = body["events"]!.AsArray().Where(e => e!["phase"]!.GetValue<string>() == "cluster-cache").ToList();
            return refused.Count > 0 ? refused : null;
        }, TimeSpan.FromSeconds(10), "the warning on the deployment's timeline");
        var warning = Assert.Single(events)!;
        Assert.Equal("warn", warning["level"]!.GetValue<string>());
        Assert.Contains("pod", warning["message"]!.GetValue<string>());
        Assert.Contains("CATALYST_K8SCACHE_MAX_WATCH_LINE_BYTES", warning["message"]!.GetValue<string>());
        var sync = JsonNode.Parse(await app.Http.GetStringAsync($"/api/v1/sovereigns/{id}/k8s/sync"))!;
        Assert.True(sync["synced"]!["deployment"]!.GetValue<bool>());
        Assert.Empty(JsonNode.Parse(await app.Http.GetStringAsync($"/api/v1/sovereigns/{id}/k8s/pod"))!["items"]!.AsArray());
        Assert.False(app.HasExited);
    }

    /// <summary>VmRSS of a process, from /proc: what the kernel holds for it, whatever the runtime thinks.</summary>
    static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
