using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Catalyst.Domain.ClusterCache;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Sovereigns;

/// <summary>
/// The cluster cache through the real standalone app: a deployment's kubeconfig is PUT, the Sovereign's objects become
/// listable and streamable, /readyz follows the primary's sync, and a second replica starting on the same storage
/// finds the cluster by scanning the vault and answers from the snapshot before the API does.
/// </summary>
public sealed class ClusterCacheEndToEndTests : IAsyncLifetime
{
    const string Password = "pa55-w0rd-never-shown";
    AzuriteServer azurite = null!;
    FakeClusterApi api = null!;
    readonly List<AppProcess> apps = [];

    public async Task InitializeAsync()
    {
        azurite = await AzuriteServer.StartAsync();
        api = await FakeClusterApi.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var app in apps) await app.DisposeAsync();
        await api.DisposeAsync();
        await azurite.DisposeAsync();
    }

    async Task<AppProcess> StartAppAsync()
    {
        var settings = AppProcess.TestSettings(azurite, AppProcess.UniqueHubName("cache"));
        settings["CATALYST_K8SCACHE_SNAPSHOT_INTERVAL"] = "500ms";
        var app = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings);
        apps.Add(app);
        await app.WaitHealthyAsync();
        return app;
    }

    [Fact]
    public async Task APostedKubeconfigMakesTheSovereignListableStreamableAndReady()
    {
        var app = await StartAppAsync();
        using (var ready = await app.Http.GetAsync("/readyz"))
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode); // no Sovereign registered yet

        // A deployment waiting for its kubeconfig, as the provisioning workflow leaves it.
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        var id = DeploymentId.New();
        var bearer = KubeconfigBearer.New();
        Assert.True(await new DeploymentStore(blobs).CreateAsync(new DeploymentRecord
        {
            Id = id, Status = DeploymentStatuses.Phase1Watching, Request = new DeploymentRequest { SovereignFqdn = "acme.omani.works" },
            StartedAt = DateTimeOffset.UtcNow, KubeconfigBearerHash = KubeconfigBearer.Hash(bearer),
        }));
        api.Put(FakeClusterApi.Pods, FakeClusterApi.Pod("prod", "web-1", new() { ["app"] = "web" }));
        api.Put(FakeClusterApi.Pods, FakeClusterApi.Pod("prod", "db-1", new() { ["app"] = "db" }));
        api.Put(FakeClusterApi.Pods, FakeClusterApi.Pod("team-b", "job-1", new() { ["app"] = "job" }));
        api.Put(FakeClusterApi.Secrets, FakeClusterApi.Secret("prod", "db-credentials", new() { ["password"] = Password }));
        api.Hold();

        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/deployments/{id}/kubeconfig") { Content = new StringContent(api.Kubeconfig()) })
        {
            put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            using var response = await app.Http.SendAsync(put);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        // Registered but its API has not answered: out of rotation, not restarted (seed, issue #530).
        using (var notReady = await app.Http.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Contains($"cluster-cache: primary Sovereign {id}", await notReady.Content.ReadAsStringAsync());
        }
        using (var live = await app.Http.GetAsync("/healthz")) Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        api.Answer();
        var list = await Wait.ForAsync(async () =>
        {
            var body = await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/sovereigns/{id}/k8s/pod");
            return body!["items"]!.AsArray().Count == 3 ? body : null;
        }, TimeSpan.FromSeconds(20), "the Sovereign's pods to be listable");
        Assert.Equal(("pod", id), (list["kind"]!.GetValue<string>(), list["cluster"]!.GetValue<string>()));
        Assert.Equal(["db-1", "web-1", "job-1"], list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        await Wait.ForAsync(async () => (await app.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK ? true : (object?)null, TimeSpan.FromSeconds(10), "/readyz");

        await ListsFilterAndPageAsync(app, id);
        await StreamCarriesChangesAsync(app, id);
        await SecretsNeverShowAsync(app, id, blobs);
        await TheSarGateFiltersByUserAsync(app, id);

        // Another replica, started on the same storage while the API is down, finds the cluster in the vault and
        // answers from the snapshot at once, saying how old it is.
        api.Hold();
        var replica = await StartAppAsync();
        var fromSnapshot = await Wait.ForAsync(async () =>
        {
            var response = await replica.Http.GetAsync($"/api/v1/sovereigns/{id}/k8s/pod");
            return response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray().Count > 0 ? response : null;
        }, TimeSpan.FromSeconds(20), "the replica to answer from the snapshot");
        Assert.True(fromSnapshot.Headers.Contains("X-Cache-Stale-Seconds"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await replica.Http.GetAsync("/readyz")).StatusCode);
        api.Answer();
        await Wait.ForAsync(async () => (await replica.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK ? true : (object?)null, TimeSpan.FromSeconds(20), "the replica's /readyz");
    }

    async Task ListsFilterAndPageAsync(AppProcess app, string id)
    {
        var filtered = await app.Http.GetAsync($"/api/v1/sovereigns/{id}/k8s/pod?ns=prod&labelSelector=app%20in%20(web,job)");
        Assert.Matches(@"^\d+\.\d\d$", filtered.Headers.GetValues("X-Cache-Stale-Seconds").Single());
        Assert.False(filtered.Headers.Contains("Warning"));
        Assert.Equal(["web-1"], Names(await filtered.Content.ReadFromJsonAsync<JsonObject>()));
        Assert.Equal(["job-1"], Names(await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/sovereigns/{id}/k8s/pod?fieldSelector=metadata.namespace%3Dteam-b")));

        var first = (await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/sovereigns/{id}/k8s/pod?limit=2"))!;
        Assert.Equal(["db-1", "web-1"], Names(first));
        var rest = (await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/sovereigns/{id}/k8s/pod?limit=2&continue={first["continue"]!.GetValue<string>()}"))!;
        Assert.Equal(["job-1"], Names(rest));
        Assert.Null(rest["continue"]);

        var bad = await app.Http.GetAsync($"/api/v1/sovereigns/{id}/k8s/pod?labelSelector=app%20in%20()");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.StartsWith("bad labelSelector: ", (await bad.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());

        var unknownKind = await app.Http.GetAsync($"/api/v1/sovereigns/{id}/k8s/pods");
        Assert.Equal(HttpStatusCode.NotFound, unknownKind.StatusCode);
        var body = (await unknownKind.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(("unknown kind", "pods"), (body["error"]!.GetValue<string>(), body["kind"]!.GetValue<string>()));
        Assert.Contains("pod", body["availableKinds"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.GetAsync("/api/v1/sovereigns/0000000000000000/k8s/pod")).StatusCode);

        var sync = (await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/sovereigns/{id}/k8s/sync"))!;
        Assert.Equal(id, sync["cluster"]!.GetValue<string>());
        Assert.True(sync["synced"]!["pod"]!.GetValue<bool>());
        Assert.False(sync["synced"]!["server.hcloud"]!.GetValue<bool>()); // no crossplane on this Sovereign
    }

    async Task StreamCarriesChangesAsync(AppProcess app, string id)
    {
        await using var stream = await SseClient.OpenAsync(app.Http, $"/api/v1/sovereigns/{id}/k8s/stream?kinds=pod,deployment&initialState=1");
        Assert.Equal("text/event-stream", stream.ContentType);
        Assert.Equal($": connected cluster={id} kinds=pod,deployment", await stream.NextLineAsync());
        var initial = new List<JsonObject>();
        for (var i = 0; i < 3; i++) initial.Add(await stream.NextEventAsync());
        Assert.All(initial, e => Assert.Equal(("ADDED", id, "pod"), (e["type"]!.GetValue<string>(), e["cluster"]!.GetValue<string>(), e["kind"]!.GetValue<string>())));

        api.Put(FakeClusterApi.Deployments, FakeClusterApi.Deployment("prod", "web"));
        var added = await stream.NextEventAsync();
        Assert.Equal(("ADDED", "deployment", "web"), (added["type"]!.GetValue<string>(), added["kind"]!.GetValue<string>(), added["object"]!["metadata"]!["name"]!.GetValue<string>()));
        Assert.True(DateTimeOffset.TryParse(added["at"]!.GetValue<string>(), out _));
        api.Put(FakeClusterApi.Pods, FakeClusterApi.Pod("prod", "web-1", new() { ["app"] = "web" }, phase: "Failed"));
        Assert.Equal("MODIFIED", (await stream.NextEventAsync())["type"]!.GetValue<string>());
        api.Delete(FakeClusterApi.Pods, "team-b", "job-1");
        var deleted = await stream.NextEventAsync();
        Assert.Equal(("DELETED", "job-1"), (deleted["type"]!.GetValue<string>(), deleted["object"]!["metadata"]!["name"]!.GetValue<string>()));
        await Wait.ForAsync(async () => Names(await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/sovereigns/{id}/k8s/pod")).Contains("job-1") ? null : (object)true,
            TimeSpan.FromSeconds(10), "the deleted pod to leave the list");

        var unknown = await app.Http.GetAsync($"/api/v1/sovereigns/{id}/k8s/stream?kinds=pod,nope");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    async Task SecretsNeverShowAsync(AppProcess app, string id, BlobServiceClient blobs)
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(Password));
        var listed = await app.Http.GetStringAsync($"/api/v1/sovereigns/{id}/k8s/secret");
        Assert.Contains("db-credentials", listed);
        Assert.Contains("\"redactedKeys\":[\"password\"]", listed);
        Assert.DoesNotContain(encoded, listed);

        await using var stream = await SseClient.OpenAsync(app.Http, $"/api/v1/sovereigns/{id}/k8s/stream?kinds=secret&initialState=1");
        await stream.NextLineAsync();
        var initial = await stream.NextEventAsync();
        api.Put(FakeClusterApi.Secrets, FakeClusterApi.Secret("prod", "db-credentials", new() { ["password"] = Password, ["user"] = Password }));
        var modified = await stream.NextEventAsync();
        foreach (var frame in new[] { initial, modified })
        {
            Assert.DoesNotContain(encoded, frame.ToJsonString());
            Assert.Null(frame["object"]!["data"]);
        }

        var container = blobs.GetBlobContainerClient(SnapshotStore.ContainerName);
        await Wait.ForAsync(async () => await container.GetBlobClient(SnapshotStore.BlobName(id, "secret")).ExistsAsync() ? true : (object?)null,
            TimeSpan.FromSeconds(10), "the secret snapshot");
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, null, default))
        {
            var text = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
            Assert.DoesNotContain(encoded, text);
            Assert.DoesNotContain(Password, text);
        }
        Assert.DoesNotContain(encoded, app.Output);
    }

    async Task TheSarGateFiltersByUserAsync(AppProcess app, string id)
    {
        api.Access = (user, _, _, ns) => user == "alice" && ns == "prod";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/sovereigns/{id}/k8s/pod");
        request.Headers.Add("X-Forwarded-User", "alice");
        var alice = await (await app.Http.SendAsync(request)).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(["db-1", "web-1"], Names(alice));
        using var other = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/sovereigns/{id}/k8s/pod");
        other.Headers.Add("X-Forwarded-User", "mallory");
        Assert.Empty(Names(await (await app.Http.SendAsync(other)).Content.ReadFromJsonAsync<JsonObject>()));
    }

    static List<string> Names(JsonObject? list) => list!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToList();
}
