using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>
/// Issue 17, through the real host after a sandbox provision: the original's jobs surface derived from the timeline,
/// the watch backfill, the pool-name release and the old sign-in callback.
/// </summary>
public sealed class JobsSurfaceTests
{
    [Fact]
    public async Task AReadyDeploymentHasAJobPerPhaseAndComponentWithTheirLogs()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(300));
        var app = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync("jobs");
        await world.WaitForStatusAsync(id, "ready");

        var jobs = (await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}/jobs"))!["jobs"]!.AsArray().Select(j => j!.AsObject()).ToList();
        var byName = jobs.ToDictionary(j => j["jobName"]!.GetValue<string>());
        Assert.Equal("succeeded", byName["tofu"]!["status"]!.GetValue<string>());
        Assert.Equal("provisioning", byName["tofu"]!["batchId"]!.GetValue<string>());
        foreach (var hr in ProvisioningWorld.Kit)
        {
            var job = byName["install-" + hr["bp-".Length..]]!;
            Assert.Equal(("succeeded", "bootstrap-kit", $"{id}:install-{hr["bp-".Length..]}"),
                (job["status"]!.GetValue<string>(), job["batchId"]!.GetValue<string>(), job["id"]!.GetValue<string>()));
        }

        var batches = (await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}/jobs/batches"))!["batches"]!.AsArray();
        var kit = batches.Single(b => b!["batchId"]!.GetValue<string>() == "bootstrap-kit")!;
        Assert.Equal((ProvisioningWorld.Kit.Length, ProvisioningWorld.Kit.Length, 0), (kit["total"]!.GetValue<int>(), kit["succeeded"]!.GetValue<int>(), kit["failed"]!.GetValue<int>()));

        var tofu = (await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}/jobs/{id}:tofu"))!;
        var execution = Assert.Single(tofu["executions"]!.AsArray())!;
        var execId = execution["id"]!.GetValue<string>();
        Assert.Equal($"{id}:tofu:1", execId);
        var page = (await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/actions/executions/{execId}/logs?fromLine=1&limit=5000"))!;
        Assert.True(page["executionFinished"]!.GetValue<bool>());
        Assert.Equal(execution["lineCount"]!.GetValue<int>(), page["total"]!.GetValue<int>());
        Assert.Contains(page["lines"]!.AsArray(), l => l!["message"]!.GetValue<string>().Contains("Apply complete!"));
        var second = (await app.Http.GetFromJsonAsync<JsonObject>($"/api/v1/actions/executions/{execId}/logs?fromLine=2&limit=1"))!["lines"]!.AsArray();
        Assert.Equal(2, Assert.Single(second)!["lineNumber"]!.GetValue<int>());

        using var noJob = await app.Http.GetAsync($"/api/v1/deployments/{id}/jobs/nothing");
        Assert.Equal(HttpStatusCode.NotFound, noJob.StatusCode);
        Assert.Equal("job-not-found", (await noJob.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        using var noExec = await app.Http.GetAsync($"/api/v1/actions/executions/{id}:tofu:9/logs");
        Assert.Equal(HttpStatusCode.NotFound, noExec.StatusCode);

        // The watch ended: a refresh lists the HelmReleases once and writes what it saw onto the record.
        using var refresh = await app.Http.PostAsync($"/api/v1/deployments/{id}/refresh-watch", null);
        Assert.Equal(HttpStatusCode.Accepted, refresh.StatusCode);
        var refreshed = (await refresh.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(ProvisioningWorld.Kit.Length, refreshed["components"]!.AsArray().Count(c => c!["status"]!.GetValue<string>() == "installed"));

        // A ready Sovereign's pool name serves it: not released.
        using var release = await app.Http.DeleteAsync($"/api/v1/deployments/{id}/release-subdomain");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, release.StatusCode);
        var refusal = (await release.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((id, "omani.works", "jobs", false), (refusal["deploymentId"]!.GetValue<string>(), refusal["poolDomain"]!.GetValue<string>(),
            refusal["subdomain"]!.GetValue<string>(), refusal["pdmReleased"]!.GetValue<bool>()));

        using var unknown = await app.Http.PostAsync($"/api/v1/deployments/{Catalyst.Domain.Deployments.DeploymentId.New()}/refresh-watch", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task AFailedPoolDeploymentsNameIsReleasedOnceAndTheOldCallbackSendsToLogin()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Settings["CATALYST_PHASE1_KUBECONFIG_ARRIVAL_TIMEOUT"] = "2s";
        world.Settings.Remove("FAKE_TOFU_KUBECONFIG_FILE");
        var app = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync("released");
        await world.WaitForStatusAsync(id, "failed");

        using var released = await app.Http.DeleteAsync($"/api/v1/deployments/{id}/release-subdomain");
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.True((await released.Content.ReadFromJsonAsync<JsonObject>())!["pdmReleased"]!.GetValue<bool>());
        var check = await (await app.Http.PostAsJsonAsync("/api/v1/subdomains/check", new { subdomain = "released", poolDomain = "omani.works" }))
            .Content.ReadFromJsonAsync<JsonObject>();
        // The reservation is gone; the DNS the apply published still holds the name until a wipe removes it.
        Assert.DoesNotContain("provisioning in progress", check!["detail"]?.GetValue<string>() ?? "");
        var reservations = new Catalyst.Domain.Subdomains.SubdomainReservations(
            new Azure.Storage.Blobs.BlobServiceClient(world.Azurite.ConnectionString), TimeSpan.FromMinutes(30));
        Assert.Null(await reservations.GetAsync("omani.works", "released", default));
        Assert.Contains(await world.EventsAsync(id), e => e["phase"]!.GetValue<string>() == "audit" && e["message"]!.GetValue<string>().Contains("release-subdomain"));

        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.Http.BaseAddress };
        using var callback = await client.GetAsync("/api/v1/auth/callback?code=abc");
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/login?error=flow_changed", callback.Headers.Location!.OriginalString);
    }
}
