using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Functions.Tests.Http.Deployments;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>PUT .../kubeconfig: every error case of reference A.13 with its code and body, and random PUTs that change nothing.</summary>
public class KubeconfigPostbackTests
{
    static async Task<(ProvisioningWorld World, AppProcess App, string Id, string Bearer)> StartAsync()
    {
        var world = await ProvisioningWorld.CreateAsync();
        world.Settings.Remove("FAKE_TOFU_KUBECONFIG_FILE");
        var app = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync($"pb{Guid.NewGuid():N}"[..12], b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.postback.example"; });
        return (world, app, id, await SecretScan.BearerOfAsync(world.Azurite, id));
    }

    static async Task<(HttpStatusCode Status, string Body)> PutAsync(AppProcess app, string id, string? authorization, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/deployments/{id}/kubeconfig") { Content = new ByteArrayContent(body) };
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await app.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EveryCheckInTheOriginalsOrder()
    {
        var (world, app, id, bearer) = await StartAsync();
        await using var _ = world;
        var kubeconfig = Encoding.UTF8.GetBytes(File.ReadAllText(world.KubeconfigFile));

        Assert.Equal(HttpStatusCode.NotFound, (await PutAsync(app, "0123456789abcdef", $"Bearer {bearer}", kubeconfig)).Status);
        foreach (var missing in new string?[] { null, "", "Basic abc", "Bearer ", "Bearer    " })
            AssertError(await PutAsync(app, id, missing, kubeconfig), 401, "missing-bearer", "Authorization: Bearer <token> header is required");
        AssertError(await PutAsync(app, id, "Bearer " + new string('0', 64), kubeconfig), 403, "invalid-bearer", "bearer token does not match the deployment's expected hash");
        AssertError(await PutAsync(app, id, $"Bearer {bearer}", []), 422, "empty-body", "kubeconfig body is empty");
        AssertError(await PutAsync(app, id, $"Bearer {bearer}", new byte[(1 << 20) + 1]), 422, "body-too-large", "kubeconfig body exceeds 1048576 bytes");

        // The scheme is case-insensitive and the token trimmed (RFC 6750 as the original).
        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(app, id, $"  bEaReR   {bearer}  ", kubeconfig)).Status);
        AssertError(await PutAsync(app, id, $"Bearer {bearer}", kubeconfig), 403, "already-set", "kubeconfig has already been captured for this deployment; bearer is single-use");

        // A record without a bearer hash refuses any bearer.
        var store = new DeploymentStore(new BlobServiceClient(world.Azurite.ConnectionString));
        var bare = DeploymentId.New();
        await store.CreateAsync((await store.GetAsync(id))! with { Id = bare, KubeconfigBearerHash = "", Result = null });
        AssertError(await PutAsync(app, bare, $"Bearer {bearer}", kubeconfig), 403, "no-bearer-hash",
            "this deployment has no bearer hash on record; refusing to accept a kubeconfig");
    }

    [Fact]
    public async Task APostbackStoredButNeverAcknowledgedCompletesWhenCloudInitRetries()
    {
        var (world, app, id, bearer) = await StartAsync();
        await using var _ = world;
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(200));
        var kubeconfig = Encoding.UTF8.GetBytes(File.ReadAllText(world.KubeconfigFile));
        await Wait.UntilAsync(() => world.StateAsync(id).Result["status"]!.GetValue<string>() == "phase1-watching", TimeSpan.FromSeconds(60), "the wait for the kubeconfig");
        // The host that took the first PUT died right after the vault write: no record update, no event.
        await new Vault(new BlobServiceClient(world.Azurite.ConnectionString), Convert.FromBase64String(AppProcess.TestVaultKey))
            .PutIfAbsentAsync(id, VaultEntries.Kubeconfig, kubeconfig);

        // Another valid kubeconfig is not the one stored: the bearer delivered that one.
        var other = Encoding.UTF8.GetBytes(File.ReadAllText(world.KubeconfigFile).Replace(FakeHelmReleaseApi.Token, FakeHelmReleaseApi.Token + "-other"));
        AssertError(await PutAsync(app, id, $"Bearer {bearer}", other), 403, "already-set",
            "kubeconfig has already been captured for this deployment; bearer is single-use");
        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(app, id, $"Bearer {bearer}", kubeconfig)).Status);
        await world.WaitForStatusAsync(id, "ready");
        AssertError(await PutAsync(app, id, $"Bearer {bearer}", kubeconfig), 403, "already-set",
            "kubeconfig has already been captured for this deployment; bearer is single-use");
    }

    [Fact]
    public async Task APostbackTheWorkflowWaitsForStartsTheWatchItselfAndKubeconfigReceivedStaysFirst()
    {
        var (world, app, id, bearer) = await StartAsync();
        await using var _ = world;
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromSeconds(2));
        var registry = new WatchRegistry(new BlobServiceClient(world.Azurite.ConnectionString), 16,
            world.Settings["AzureFunctionsJobHost__extensions__durableTask__hubName"]!);
        await Wait.UntilAsync(() => world.StateAsync(id).Result["step"]!.GetValue<string>() == "kubeconfig-wait", TimeSpan.FromSeconds(60), "the workflow to wait for the kubeconfig");

        var before = DateTime.UtcNow;
        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(app, id, $"Bearer {bearer}", Encoding.UTF8.GetBytes(File.ReadAllText(world.KubeconfigFile)))).Status);
        var after = DateTime.UtcNow;
        // The PUT wrote the watch's entry before it told the workflow (whose own registration then changes nothing): the
        // entry's start lies within the PUT, not at the workflow's next step.
        var entry = (await registry.GetAsync(id, CancellationToken.None))!.Entry;
        Assert.InRange(entry.State.StartedAt, before, after);

        await world.WaitForStatusAsync(id, "ready");
        var events = await world.EventsAsync(id);
        var arrivals = events.FindIndex(e => e["message"]!.GetValue<string>().StartsWith("Phase-1 watch: kubeconfig received from cloud-init", StringComparison.Ordinal));
        Assert.Equal(1, events.Count(e => e["message"]!.GetValue<string>().StartsWith("Phase-1 watch: kubeconfig received", StringComparison.Ordinal)));
        var components = events.Select((e, i) => (e, i)).Where(x => x.e["component"] is not null && x.e["state"] is not null).Select(x => x.i).ToList();
        Assert.Equal(ProvisioningWorld.Kit.Length * 3, components.Count); // pending, installing, installed: each once
        Assert.True(arrivals < components.Min(), $"kubeconfig received at {arrivals}, a component event at {components.Min()}");
        Assert.Null(await registry.GetAsync(id, CancellationToken.None)); // the workflow ended the watch
    }

    [Fact]
    public async Task ThousandsOfRandomPutsNeverGiveA5xxAndChangeNothing()
    {
        var (world, app, id, bearer) = await StartAsync();
        await using var _ = world;
        var blobs = new BlobServiceClient(world.Azurite.ConnectionString);
        var store = new DeploymentStore(blobs);
        var vault = new Vault(blobs, Convert.FromBase64String(AppProcess.TestVaultKey));
        var random = new Random(4711);
        string RandomId() => random.Next(4) switch { 0 => id, 1 => DeploymentId.New(), 2 => "..%2F" + random.Next(), _ => new string('z', random.Next(1, 40)) };
        string? RandomAuth() => random.Next(6) switch
        {
            0 => null,
            1 => "Bearer " + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
            2 => "Bearer " + bearer[..^1] + (bearer[^1] == '0' ? '1' : '0'),
            3 => "Basic " + Convert.ToBase64String(Guid.NewGuid().ToByteArray()),
            4 => new string((char)random.Next(33, 126), random.Next(0, 300)),
            _ => "bearer" + new string(' ', random.Next(0, 3)) + bearer.ToUpperInvariant(),
        };
        byte[] RandomBody() => random.Next(5) switch { 0 => [], 1 => new byte[random.Next(1, 4096)], _ => Encoding.UTF8.GetBytes(new string('a', random.Next(1, 2000))) };

        // kubeconfig-wait is the workflow's last write before it waits: the record must not move after the snapshot.
        await Wait.UntilAsync(() => world.StateAsync(id).Result["step"]!.GetValue<string>() == "kubeconfig-wait", TimeSpan.FromSeconds(60), "the workflow to wait for the kubeconfig");
        var before = System.Text.Json.JsonSerializer.Serialize(await store.GetAsync(id));
        var statuses = new Dictionary<HttpStatusCode, int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 3000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
        {
            string putId; string? auth; byte[] body;
            lock (random) (putId, auth, body) = (RandomId(), RandomAuth(), RandomBody());
            var (status, _) = await PutAsync(app, putId, auth, body);
            lock (statuses) statuses[status] = statuses.GetValueOrDefault(status) + 1;
        });

        Assert.DoesNotContain(statuses.Keys, s => (int)s >= 500);
        Assert.DoesNotContain(HttpStatusCode.NoContent, statuses.Keys);
        Assert.Equal(before, System.Text.Json.JsonSerializer.Serialize(await store.GetAsync(id)));
        Assert.Null(await vault.GetAsync(id, VaultEntries.Kubeconfig));
    }

    static void AssertError((HttpStatusCode Status, string Body) response, int status, string error, string detail)
    {
        Assert.Equal(status, (int)response.Status);
        var json = JsonNode.Parse(response.Body)!;
        Assert.Equal((error, detail), (json["error"]!.GetValue<string>(), json["detail"]!.GetValue<string>()));
    }
}
