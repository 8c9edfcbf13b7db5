using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Http.Deployments;

/// <summary>One app on its own Azurite for a test class, so storage can be inspected without other tests' writes.</summary>
public sealed class IsolatedApp : IAsyncLifetime
{
    public AzuriteServer Azurite { get; private set; } = null!;
    public AppProcess App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteServer.StartAsync();
        var settings = AppProcess.TestSettings(Azurite, AppProcess.UniqueHubName("api"));
        foreach (var (k, v) in WizardBodies.OperatorSettings) settings[k] = v;
        settings.Remove(AppProcess.ResumeStrandedDisabled); // its own Azurite: the timer sees only this app's records
        App = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings);
        await App.WaitHealthyAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}

/// <summary>POST/GET/list through the real HTTP API of a standalone app. Tests in a class run one at a time.</summary>
public class DeploymentApiTests(IsolatedApp fixture) : IClassFixture<IsolatedApp>
{
    readonly AzuriteServer azurite = fixture.Azurite;
    readonly AppProcess app = fixture.App;

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "application/json", "{", "invalid request body" },
        { "application/json", """{"workerCount":"three"}""", "invalid request body" },
        { "text/plain", "{}", "invalid request body: Content-Type must be application/json" },
        { "application/json", """{"orgName":"Acme"}""", "hetzner token is required" },
        { "application/json", Mutate(b => b.Remove("orgEmail")), "organisation email is required (becomes initial sovereign-admin)" },
        { "application/json", Mutate(b => b["objectStorageRegion"] = "ams3"), "object storage region \"ams3\" is not a valid Hetzner Object Storage region (must be fsn1, nbg1, or hel1)" },
        { "application/json", Mutate(b => b["regions"] = new JsonArray(new JsonObject { ["provider"] = "hetzner" })), "region[0] cloudRegion is required" },
        { "application/json", new string(' ', 70_000), "request-too-large" },
    };

    static string Mutate(Action<JsonObject> change)
    {
        var body = WizardBodies.Valid("bad");
        change(body);
        return body.ToJsonString();
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadInputIs400AndChangesNothing(string contentType, string body, string error)
    {
        var (records, secrets, instances) = (await BlobNamesAsync("deployments"), await BlobNamesAsync("vault"), await InstanceCountAsync());
        using var response = await app.Http.PostAsync("/api/v1/deployments", new StringContent(body, Encoding.UTF8, contentType));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.StartsWith(error, json!["error"]!.GetValue<string>());
        Assert.Equal(records, await BlobNamesAsync("deployments"));
        Assert.Equal(secrets, await BlobNamesAsync("vault"));
        Assert.Equal(instances, await InstanceCountAsync());
    }

    [Fact]
    public async Task TenConcurrentPostsMakeTenDistinctDeployments()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => WizardBodies.PostAsync(app.Http, WizardBodies.Valid($"load{i}"))));
        var created = new List<(int I, string Id)>();
        for (var i = 0; i < responses.Length; i++)
        {
            Assert.Equal(HttpStatusCode.Created, responses[i].StatusCode);
            var body = (await responses[i].Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal("provisioning", body["status"]!.GetValue<string>());
            var id = body["id"]!.GetValue<string>();
            Assert.Equal($"/api/v1/deployments/{id}/logs", body["streamURL"]!.GetValue<string>());
            Assert.Equal($"/api/v1/deployments/{id}", responses[i].Headers.Location!.ToString());
            created.Add((i, id));
        }
        Assert.Equal(10, created.Select(c => c.Id).Distinct().Count());
        foreach (var (i, id) in created)
        {
            var state = (await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}"))!;
            Assert.Equal((id, $"load{i}.omani.works"), (state["id"]!.GetValue<string>(), state["sovereignFQDN"]!.GetValue<string>()));
        }
        var list = (await app.Http.GetFromJsonAsync<JsonObject>("/api/v1/deployments?limit=200"))!;
        var listed = list["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToHashSet();
        Assert.Subset(listed, created.Select(c => c.Id).ToHashSet());
    }

    [Fact]
    public async Task IdempotencyKeyReturnsTheFirstDeployment()
    {
        var key = Guid.NewGuid().ToString();
        var body = WizardBodies.Valid("idem");
        var responses = await Task.WhenAll(WizardBodies.PostAsync(app.Http, body, key), WizardBodies.PostAsync(app.Http, body, key));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>()));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(ids[0], ids[1]);
        Assert.Single(responses, r => r.Headers.Contains("Idempotent-Replayed"));

        using var reused = await WizardBodies.PostAsync(app.Http, WizardBodies.Valid("other"), key);
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
    }

    [Fact]
    public async Task TwoConcurrentPostsForOnePoolSubdomainMakeOneDeployment()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => WizardBodies.PostAsync(app.Http, WizardBodies.Valid("twins"))));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        var conflict = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Conflict);
        Assert.Equal("subdomain-conflict", (await conflict.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task APoolDomainThisCatalystDoesNotManageIsRefused()
    {
        var body = WizardBodies.Valid("elsewhere");
        body["sovereignPoolDomain"] = "example.org";
        body["sovereignFQDN"] = "elsewhere.example.org";
        using var response = await WizardBodies.PostAsync(app.Http, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("pool domain \"example.org\" is not managed by this Catalyst", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnknownDeploymentIs404()
    {
        using var response = await app.Http.GetAsync("/api/v1/deployments/0123456789abcdef");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("deployment not found", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        using var odd = await app.Http.GetAsync("/api/v1/deployments/..%2F..%2Fetc");
        Assert.Equal(HttpStatusCode.NotFound, odd.StatusCode);
    }

    [Fact]
    public async Task ARetryTakesOverAKeyWhoseFirstRequestDiedBeforeWritingItsRecord()
    {
        // What a host killed between claiming the key and writing the record leaves behind: the claim, nothing else.
        var (key, json, abandonedId) = (Guid.NewGuid().ToString(), WizardBodies.Valid("orphan").ToJsonString(), NewDeploymentId());
        await WriteClaimAsync(key, abandonedId, json, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5));

        using var response = await PostJsonAsync(json, key);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(abandonedId, (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());
        await WaitForWorkflowAsync(abandonedId);
    }

    [Fact]
    public async Task ARetryWhileTheFirstRequestMayStillRunIsToldToRetryAndChangesNothing()
    {
        var (key, json, id) = (Guid.NewGuid().ToString(), WizardBodies.Valid("young").ToJsonString(), NewDeploymentId());
        await WriteClaimAsync(key, id, json, DateTimeOffset.UtcNow);

        using var response = await PostJsonAsync(json, key);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("idempotency-key-in-progress", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        Assert.DoesNotContain($"{id}.json", await BlobNamesAsync("deployments"));
    }

    [Fact]
    public async Task AReplayStartsTheWorkflowOfARecordLeftWithoutOne()
    {
        // A host killed between writing the record and starting the workflow: a queued record, no orchestration.
        // Written just now, so the ResumeStranded timer leaves it alone: only the replay can start it here.
        var strandedId = await WriteStrandedRecordAsync("first", DateTimeOffset.UtcNow);
        var (key, json) = (Guid.NewGuid().ToString(), WizardBodies.Valid("stranded").ToJsonString());
        await WriteClaimAsync(key, strandedId, json, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5));

        using var replay = await PostJsonAsync(json, key);

        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        await WaitForWorkflowAsync(strandedId);
    }

    [Fact]
    public async Task ATimerStartsTheWorkflowOfARecordLeftQueuedWithoutOne()
    {
        // A host killed between the record and the workflow, and a client that never retries: the timer finds it.
        var strandedId = await WriteStrandedRecordAsync("lonely-src", DateTimeOffset.UtcNow.AddMinutes(-5));

        // The timer runs once a minute (at second 30).
        await WaitForWorkflowAsync(strandedId, TimeSpan.FromSeconds(150));
    }

    [Fact]
    public async Task ATimerFilesARunUnderWayWhoseWorkflowIsGoneAsFailedWithoutRerunningIt()
    {
        // The record says Phase 0 is running but the task hub has no workflow for it (failed, terminated or purged).
        var strandedId = await WriteStrandedRecordAsync("gone-wf", DateTimeOffset.UtcNow.AddMinutes(-5), phase: "tofu", step: "tofu-start");

        var failed = await Wait.ForAsync(async () => await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{strandedId}") is { } s
            && s["status"]!.GetValue<string>() == "failed" ? s : null, TimeSpan.FromSeconds(150), $"the timer to file {strandedId}");

        var failure = failed["failure"]!.AsObject();
        Assert.Equal("workflow-lost", failure["code"]!.GetValue<string>());
        Assert.Equal("tofu", failure["phase"]!.GetValue<string>());
        Assert.Equal("operator", failure["actor"]!.GetValue<string>());
        Assert.Contains("Nothing was re-run automatically", failed["error"]!.GetValue<string>());
        var events = (await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{strandedId}/events"))!["events"]!.AsArray();
        Assert.Single(events, e => e!["message"]!.GetValue<string>().StartsWith("Workflow lost in tofu", StringComparison.Ordinal));
        // Filed, not restarted: no workflow step ran.
        Assert.Equal("failed", failed["step"]!.GetValue<string>());
    }

    /// <summary>A queued record under a new id with no workflow behind it: a real deployment's record, copied and reset.</summary>
    async Task<string> WriteStrandedRecordAsync(string subdomain, DateTimeOffset updatedAt, string phase = "queued", string step = "queued")
    {
        using var first = await PostJsonAsync(WizardBodies.Valid(subdomain).ToJsonString(), Guid.NewGuid().ToString());
        var firstId = (await first.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var records = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("deployments");
        var record = JsonNode.Parse((await records.GetBlobClient($"{firstId}.json").DownloadContentAsync()).Value.Content.ToString())!.AsObject();
        var strandedId = NewDeploymentId();
        record["id"] = strandedId;
        record["status"] = "provisioning";
        record["phase"] = phase;
        record["step"] = step;
        record["updatedAt"] = updatedAt.ToString("O");
        await records.GetBlobClient($"{strandedId}.json").UploadAsync(BinaryData.FromString(record.ToJsonString()));
        return strandedId;
    }

    static string NewDeploymentId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    async Task WriteClaimAsync(string key, string deploymentId, string body, DateTimeOffset claimedAt)
    {
        var claims = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(Catalyst.Domain.Store.IdempotencyKeys.ContainerName);
        await claims.CreateIfNotExistsAsync();
        var claim = new Catalyst.Domain.Store.IdempotencyKeys.Claim(deploymentId, Catalyst.Domain.Store.IdempotencyKeys.Hex(Encoding.UTF8.GetBytes(body)), claimedAt);
        await claims.GetBlobClient(Catalyst.Domain.Store.IdempotencyKeys.Hex(Encoding.UTF8.GetBytes(key))).UploadAsync(BinaryData.FromObjectAsJson(claim));
    }

    Task<HttpResponseMessage> PostJsonAsync(string json, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deployments") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        return app.Http.SendAsync(request);
    }

    /// <summary>The workflow's first step moves the record on from "queued".</summary>
    Task WaitForWorkflowAsync(string id, TimeSpan? timeout = null) => Wait.UntilAsync(
        () => app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}").Result!["step"]!.GetValue<string>() != "queued",
        timeout ?? TimeSpan.FromSeconds(60), $"the workflow of {id} to start");

    async Task<List<string>> BlobNamesAsync(string container)
    {
        var client = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(container);
        if (!await client.ExistsAsync()) return [];
        var names = new List<string>();
        await foreach (var blob in client.GetBlobsAsync()) names.Add(blob.Name);
        return names;
    }

    async Task<int> InstanceCountAsync()
    {
        var tables = new TableServiceClient(azurite.ConnectionString);
        var count = 0;
        await foreach (var table in tables.QueryAsync())
            if (table.Name.EndsWith("Instances", StringComparison.Ordinal))
                await foreach (var _ in tables.GetTableClient(table.Name).QueryAsync<TableEntity>()) count++;
        return count;
    }
}
