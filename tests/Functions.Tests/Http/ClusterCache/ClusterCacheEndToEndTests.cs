using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Catalyst.Domain.Auth;
using Catalyst.Domain.ClusterCache;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Http.ClusterCache;

/// <summary>
/// The cluster cache through the real standalone app: a deployment's kubeconfig is PUT, the Sovereign's objects become
/// listable and streamable, /readyz follows the primary's sync, and a second replica starting on the same storage
/// finds the cluster by scanning the vault and answers from the snapshot before the API does. The apps run in session
/// mode with Catalyst-signed sessions: an operator reads everything unreviewed, anyone else only what the Sovereign's
/// SubjectAccessReview allows the session's user, and a caller without a session nothing.
/// </summary>
public sealed class ClusterCacheEndToEndTests : IAsyncLifetime
{
    const string Password = "pa55-w0rd-never-shown";
    const string EnvSecret = "env-value-never-shown";
    const string CookieSecret = "cluster-cache-cookie-secret-0123456789abcdef";
    const string OperatorEmail = "ops@acme.example", AliceEmail = "alice@acme.example", MalloryEmail = "mallory@acme.example";
    static readonly SessionTokens Tokens = new(null, CookieSecret, AuthSettings.DefaultIssuer, TimeProvider.System);
    AzuriteServer azurite = null!;
    FakeCachedKindsApi api = null!;
    readonly List<AppProcess> apps = [];

    public async Task InitializeAsync()
    {
        azurite = await AzuriteServer.StartAsync();
        api = await FakeCachedKindsApi.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var client in clients) client.Dispose();
        foreach (var app in apps) await app.DisposeAsync();
        await api.DisposeAsync();
        await azurite.DisposeAsync();
    }

    async Task<AppProcess> StartAppAsync(params (string Name, string Value)[] extra)
    {
        // The Sovereign's API is a loopback fake, which only a sandbox may reach (issue 15).
        var settings = AppProcess.Sandboxed(AppProcess.TestSettings(azurite, AppProcess.UniqueHubName("cache")));
        settings["CATALYST_K8SCACHE_SNAPSHOT_INTERVAL"] = "500ms";
        settings["CATALYST_AUTH_MODE"] = "session";
        settings["CATALYST_SESSION_COOKIE_SECRET"] = CookieSecret;
        foreach (var (name, value) in extra) settings[name] = value;
        var app = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings);
        apps.Add(app);
        await app.WaitHealthyAsync();
        return app;
    }

    /// <summary>A client that sends a Catalyst-signed session for <paramref name="email"/> (an operator by role, or not) on every request; none when null.</summary>
    HttpClient Client(AppProcess app, string? email, bool isOperator = false)
    {
        var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = app.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (email is not null)
        {
            var token = Tokens.Issue("sub-" + email, email, isOperator ? AuthSettings.DefaultOperatorRole : "tenant");
            http.DefaultRequestHeaders.Add("Cookie", $"{SessionCookies.Session}={new SessionCookies(CookieSecret, null).Encode(token)}");
        }
        clients.Add(http);
        return http;
    }

    readonly List<HttpClient> clients = [];

    /// <summary>A pod whose container has an env value (a credential, as manifests often carry) and a reference.</summary>
    static JsonObject PodWithEnv(string ns, string name, Dictionary<string, string> labels, string phase = "Running")
    {
        var pod = FakeCachedKindsApi.Pod(ns, name, labels, phase);
        pod["spec"]!["containers"]![0]!["env"] = new JsonArray(
            new JsonObject { ["name"] = "API_TOKEN", ["value"] = EnvSecret },
            new JsonObject { ["name"] = "DB_PASSWORD", ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = "db-credentials", ["key"] = "password" } } });
        return pod;
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
            StartedAt = DateTimeOffset.UtcNow, KubeconfigBearerHash = KubeconfigBearer.Hash(bearer), Owner = new DeploymentOwner("alice-sub", AliceEmail),
        }));
        api.Put(FakeCachedKindsApi.Pods, PodWithEnv("prod", "web-1", new() { ["app"] = "web" }));
        api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("prod", "db-1", new() { ["app"] = "db" }));
        api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("team-b", "job-1", new() { ["app"] = "job" }));
        api.Put(FakeCachedKindsApi.Secrets, FakeCachedKindsApi.Secret("prod", "db-credentials", new() { ["password"] = Password }));
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
        // An operator: every namespace, no SubjectAccessReview (the fake denies everyone, so a review would empty the lists).
        var ops = Client(app, OperatorEmail, isOperator: true);
        var list = await Wait.ForAsync(async () =>
        {
            var body = await ops.GetFromJsonAsync<JsonObject>($"/api/v1/sovereigns/{id}/k8s/pod");
            return body!["items"]!.AsArray().Count == 3 ? body : null;
        }, TimeSpan.FromSeconds(20), "the Sovereign's pods to be listable");
        Assert.Equal(("pod", id), (list["kind"]!.GetValue<string>(), list["cluster"]!.GetValue<string>()));
        Assert.Equal(["db-1", "web-1", "job-1"], list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        await Wait.ForAsync(async () => (await app.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK ? true : (object?)null, TimeSpan.FromSeconds(10), "/readyz");

        await ListsFilterAndPageAsync(ops, id);
        await StreamCarriesChangesAsync(ops, id);
        await SecretsNeverShowAsync(app, ops, id, blobs);
        Assert.Equal(0, api.SarRequests); // the operator was never reviewed
        await TheSarGateAsksAboutTheSessionUserAsync(app, id);

        // Another replica, started on the same storage while the API is down, finds the cluster in the vault and
        // answers from the snapshot at once, saying how old it is. It serves pods' env values (an operator's opt-out),
        // but the snapshot it starts from has none to serve.
        api.Hold();
        var replica = await StartAppAsync(("CATALYST_K8SCACHE_UNREDACTED_KINDS", "pod"));
        var replicaOps = Client(replica, OperatorEmail, isOperator: true);
        var fromSnapshot = await Wait.ForAsync(async () =>
        {
            var response = await replicaOps.GetAsync($"/api/v1/sovereigns/{id}/k8s/pod");
            return response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray().Count > 0 ? response : null;
        }, TimeSpan.FromSeconds(20), "the replica to answer from the snapshot");
        Assert.True(fromSnapshot.Headers.Contains("X-Cache-Stale-Seconds"));
        Assert.DoesNotContain(EnvSecret, await replicaOps.GetStringAsync($"/api/v1/sovereigns/{id}/k8s/pod"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await replica.Http.GetAsync("/readyz")).StatusCode);
        api.Answer();
        await Wait.ForAsync(async () => (await replica.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK ? true : (object?)null, TimeSpan.FromSeconds(20), "the replica's /readyz");
        await Wait.ForAsync(async () => (await replicaOps.GetStringAsync($"/api/v1/sovereigns/{id}/k8s/pod")).Contains(EnvSecret) ? true : (object?)null,
            TimeSpan.FromSeconds(20), "the opted-out replica to serve the pod's env value from the API");
    }

    async Task ListsFilterAndPageAsync(HttpClient http, string id)
    {
        var filtered = await http.GetAsync($"/api/v1/sovereigns/{id}/k8s/pod?ns=prod&labelSelector=app%20in%20(web,job)");
        Assert.Matches(@"^\d+\.\d\d$", filtered.Headers.GetValues("X-Cache-Stale-Seconds").Single());
        Assert.False(filtered.Headers.Contains("Warning"));
        Assert.Equal(["web-1"], Names(await filtered.Content.ReadFromJsonAsync<JsonObject>()));
        Assert.Equal(["job-1"], Names(await http.GetFromJsonAsync<JsonObject>($"/api/v1/sovereigns/{id}/k8s/pod?fieldSelector=metadata.namespace%3Dteam-b")));

        var first = (await http.GetFromJsonAsync<JsonObject>($"/api/v1/sovereigns/{id}/k8s/pod?limit=2"))!;
        Assert.Equal(["db-1", "web-1"], Names(first));
        var rest = (await http.GetFromJsonAsync<JsonObject>($"/api/v1/sovereigns/{id}/k8s/pod?limit=2&continue={first["continue"]!.GetValue<string>()}"))!;
        Assert.Equal(["job-1"], Names(rest));
        Assert.Null(rest["continue"]);

        var bad = await http.GetAsync($"/api/v1/sovereigns/{id}/k8s/pod?labelSelector=app%20in%20()");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.StartsWith("bad labelSelector: ", (await bad.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());

        var unknownKind = await http.GetAsync($"/api/v1/sovereigns/{id}/k8s/pods");
        Assert.Equal(HttpStatusCode.NotFound, unknownKind.StatusCode);
        var body = (await unknownKind.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(("unknown kind", "pods"), (body["error"]!.GetValue<string>(), body["kind"]!.GetValue<string>()));
        Assert.Contains("pod", body["availableKinds"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/sovereigns/0000000000000000/k8s/pod")).StatusCode);

        var sync = (await http.GetFromJsonAsync<JsonObject>($"/api/v1/sovereigns/{id}/k8s/sync"))!;
        Assert.Equal(id, sync["cluster"]!.GetValue<string>());
        Assert.True(sync["synced"]!["pod"]!.GetValue<bool>());
        Assert.False(sync["synced"]!["server.hcloud"]!.GetValue<bool>()); // no crossplane on this Sovereign
    }

    async Task StreamCarriesChangesAsync(HttpClient http, string id)
    {
        await using var stream = await SseClient.OpenAsync(http, $"/api/v1/sovereigns/{id}/k8s/stream?kinds=pod,deployment&initialState=1");
        Assert.Equal("text/event-stream", stream.ContentType);
        Assert.Equal($": connected cluster={id} kinds=pod,deployment", await stream.NextLineAsync());
        var initial = new List<JsonObject>();
        for (var i = 0; i < 3; i++) initial.Add(await stream.NextEventAsync());
        Assert.All(initial, e => Assert.Equal(("ADDED", id, "pod"), (e["type"]!.GetValue<string>(), e["cluster"]!.GetValue<string>(), e["kind"]!.GetValue<string>())));

        api.Put(FakeCachedKindsApi.Deployments, FakeCachedKindsApi.Deployment("prod", "web"));
        var added = await stream.NextEventAsync();
        Assert.Equal(("ADDED", "deployment", "web"), (added["type"]!.GetValue<string>(), added["kind"]!.GetValue<string>(), added["object"]!["metadata"]!["name"]!.GetValue<string>()));
        Assert.True(DateTimeOffset.TryParse(added["at"]!.GetValue<string>(), out _));
        api.Put(FakeCachedKindsApi.Pods, PodWithEnv("prod", "web-1", new() { ["app"] = "web" }, phase: "Failed"));
        var modified = await stream.NextEventAsync();
        Assert.Equal("MODIFIED", modified["type"]!.GetValue<string>());
        Assert.DoesNotContain(EnvSecret, modified.ToJsonString());
        Assert.Equal(CachedObject.RedactedValue, modified["object"]!["spec"]!["containers"]![0]!["env"]![0]!["value"]!.GetValue<string>());
        Assert.All(initial, e => Assert.DoesNotContain(EnvSecret, e.ToJsonString()));
        api.Delete(FakeCachedKindsApi.Pods, "team-b", "job-1");
        var deleted = await stream.NextEventAsync();
        Assert.Equal(("DELETED", "job-1"), (deleted["type"]!.GetValue<string>(), deleted["object"]!["metadata"]!["name"]!.GetValue<string>()));
        await Wait.ForAsync(async () => Names(await http.GetFromJsonAsync<JsonObject>($"/api/v1/sovereigns/{id}/k8s/pod")).Contains("job-1") ? null : (object)true,
            TimeSpan.FromSeconds(10), "the deleted pod to leave the list");

        var unknown = await http.GetAsync($"/api/v1/sovereigns/{id}/k8s/stream?kinds=pod,nope");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    async Task SecretsNeverShowAsync(AppProcess app, HttpClient http, string id, BlobServiceClient blobs)
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(Password));
        // Pods keep their env names and references; the values are gone.
        var pods = (await http.GetFromJsonAsync<JsonObject>($"/api/v1/sovereigns/{id}/k8s/pod"))!;
        Assert.DoesNotContain(EnvSecret, pods.ToJsonString());
        var web = pods["items"]!.AsArray().Single(i => i!["metadata"]!["name"]!.GetValue<string>() == "web-1")!;
        var env = web["spec"]!["containers"]![0]!["env"]!.AsArray();
        Assert.Equal((CachedObject.RedactedValue, "API_TOKEN"), (env[0]!["value"]!.GetValue<string>(), env[0]!["name"]!.GetValue<string>()));
        Assert.Equal("password", env[1]!["valueFrom"]!["secretKeyRef"]!["key"]!.GetValue<string>());

        var listed = await http.GetStringAsync($"/api/v1/sovereigns/{id}/k8s/secret");
        Assert.Contains("db-credentials", listed);
        Assert.Contains("\"redactedKeys\":[\"password\"]", listed);
        Assert.DoesNotContain(encoded, listed);

        await using var stream = await SseClient.OpenAsync(http, $"/api/v1/sovereigns/{id}/k8s/stream?kinds=secret&initialState=1");
        await stream.NextLineAsync();
        var initial = await stream.NextEventAsync();
        api.Put(FakeCachedKindsApi.Secrets, FakeCachedKindsApi.Secret("prod", "db-credentials", new() { ["password"] = Password, ["user"] = Password }));
        var modified = await stream.NextEventAsync();
        foreach (var frame in new[] { initial, modified })
        {
            Assert.DoesNotContain(encoded, frame.ToJsonString());
            Assert.Null(frame["object"]!["data"]);
        }

        var container = blobs.GetBlobContainerClient(SnapshotStore.ContainerName);
        foreach (var kind in new[] { "secret", "pod" })
            await Wait.ForAsync(async () => await container.GetBlobClient(SnapshotStore.BlobName(id, kind)).ExistsAsync() ? true : (object?)null,
                TimeSpan.FromSeconds(10), $"the {kind} snapshot");
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, null, default))
        {
            var text = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
            Assert.DoesNotContain(encoded, text);
            Assert.DoesNotContain(Password, text);
            Assert.DoesNotContain(EnvSecret, text);
        }
        Assert.DoesNotContain(encoded, app.Output);
        Assert.DoesNotContain(EnvSecret, app.Output);
    }

    async Task TheSarGateAsksAboutTheSessionUserAsync(AppProcess app, string id)
    {
        var asked = new ConcurrentQueue<string>();
        api.Access = (user, _, _, ns) =>
        {
            asked.Enqueue(user);
            return user == AliceEmail && ns == "prod";
        };
        var alice = Client(app, AliceEmail);
        var mallory = Client(app, MalloryEmail);
        var path = $"/api/v1/sovereigns/{id}/k8s/pod";

        // The review names the session's user (its email, the default claim); a header naming someone else changes nothing.
        Assert.Equal(["db-1", "web-1"], Names(await GetJsonAsync(alice, path, ("X-Forwarded-User", OperatorEmail))));
        // Mallory does not own the deployment: the owner check answers as for an unknown cluster before any review,
        // whatever headers she adds.
        foreach (var headers in new[] { new[] { ("X-Forwarded-User", AliceEmail), ("X-Forwarded-Email", AliceEmail) }, [] })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            foreach (var (name, value) in headers) request.Headers.Add(name, value);
            using var refused = await mallory.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Contains("unknown cluster", await refused.Content.ReadAsStringAsync());
        }
        Assert.Contains(AliceEmail, asked);
        Assert.All(asked, user => Assert.Equal(AliceEmail, user));

        // The stream is reviewed per event: alice sees prod's new pod, not team-b's that changed first.
        await using (var stream = await SseClient.OpenAsync(alice, $"{path.Replace("/k8s/pod", "/k8s/stream")}?kinds=pod"))
        {
            await stream.NextLineAsync();
            api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("team-b", "hidden-1", new() { ["app"] = "job" }));
            api.Put(FakeCachedKindsApi.Pods, FakeCachedKindsApi.Pod("prod", "web-2", new() { ["app"] = "web" }));
            var seen = await stream.NextEventAsync();
            Assert.Equal(("prod", "web-2"), (seen["object"]!["metadata"]!["namespace"]!.GetValue<string>(), seen["object"]!["metadata"]!["name"]!.GetValue<string>()));
        }

        // No session: 401 and nothing else, whatever identity headers say.
        var stranger = Client(app, null);
        foreach (var route in new[] { path, $"/api/v1/sovereigns/{id}/k8s/sync", $"/api/v1/sovereigns/{id}/k8s/stream?kinds=pod&initialState=1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, route);
            request.Headers.Add("X-Forwarded-User", AliceEmail);
            using var response = await stranger.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal("unauthenticated", JsonNode.Parse(body)!["error"]!.GetValue<string>());
            Assert.DoesNotContain("db-1", body);
        }
    }

    static async Task<JsonObject?> GetJsonAsync(HttpClient http, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonObject>();
    }

    static List<string> Names(JsonObject? list) => list!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToList();
}
