using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Catalyst.Testing;
using Xunit.Abstractions;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>
/// Issue 21 item 7, through the real test host: a transient storage fault in a workflow write is retried, a fault that
/// outlasts every retry ends the run failed (never 'provisioning' for ever), a start never replaces a running instance,
/// and a kubeconfig for a finished workflow is answered the same in both hosts.
/// </summary>
public class DurableRobustnessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ATransientStorageFaultInRecordProgressIsRetriedAndTheRunBecomesReady()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(300));
        world.Settings["TEST_FAULT_RECORD_PROGRESS"] = "tofu-start:2"; // the first write of the run fails twice
        var app = await world.StartAppAsync(testHost: true);

        var id = await world.CreateDeploymentAsync("flaky");
        var ready = await world.WaitForStatusAsync(id, "ready", TimeSpan.FromSeconds(150));

        Assert.Contains($"test fault: RecordProgress {id} tofu-start call 2 fails", app.Output);
        Assert.Null(ready["error"]);
        Assert.Single(await world.EventsAsync(id), e => e["message"]!.GetValue<string>().StartsWith("Phase 0: provisioning Hetzner resources", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFaultThatOutlastsEveryRetryEndsTheRunFailedForTheOperator()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Settings["TEST_FAULT_RECORD_PROGRESS"] = "phase0-complete:always";
        await world.StartAppAsync(testHost: true);

        var id = await world.CreateDeploymentAsync("doomed");
        var failed = await world.WaitForStatusAsync(id, "failed", TimeSpan.FromSeconds(150));
        output.WriteLine(failed.ToJsonString());

        var failure = failed["failure"]!.AsObject();
        Assert.Equal("workflow-failed", failure["code"]!.GetValue<string>());
        Assert.Equal("flux-bootstrap", failure["phase"]!.GetValue<string>());
        Assert.Equal("operator", failure["actor"]!.GetValue<string>());
        Assert.StartsWith("Workflow failed in flux-bootstrap: step RecordProgress failed after every retry", failed["error"]!.GetValue<string>());
        Assert.NotNull(failed["finishedAt"]);
        // The orchestration itself ended normally: its failure path wrote the outcome.
        await Wait.ForAsync(async () => await world.EngineStatusAsync(id) == "Completed" ? (object)true : null, TimeSpan.FromSeconds(30), "the workflow to complete");
    }

    [Fact]
    public async Task AKubeconfigForAFailedDeploymentIsRefusedAndNothingIsStored()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Settings.Remove("FAKE_TOFU_KUBECONFIG_FILE");
        world.Settings["FAKE_TOFU_FAIL"] = "apply";
        var app = await world.StartAppAsync(testHost: true);
        var id = await world.CreateDeploymentAsync("late-pb");
        await world.WaitForStatusAsync(id, "failed");
        await Wait.ForAsync(async () => await world.EngineStatusAsync(id) == "Completed" ? (object)true : null, TimeSpan.FromSeconds(30), "the workflow to complete");

        // Issue 15: a failed deployment takes no kubeconfig (nothing would watch it); a retry opens a new wait, which
        // cloud-init's retried PUT can still meet.
        var bearer = await SecretScan.BearerOfAsync(world.Azurite, id);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/deployments/{id}/kubeconfig") { Content = new StringContent(File.ReadAllText(world.KubeconfigFile)) };
        put.Headers.Add("Authorization", $"Bearer {bearer}");
        using var answered = await app.Http.SendAsync(put);

        Assert.Equal(HttpStatusCode.Conflict, answered.StatusCode);
        Assert.Equal("postback-closed", System.Text.Json.Nodes.JsonNode.Parse(await answered.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
        using var download = await app.Http.GetAsync($"/api/v1/deployments/{id}/kubeconfig");
        Assert.Equal(HttpStatusCode.Conflict, download.StatusCode);
        var state = await world.StateAsync(id);
        Assert.Equal("failed", state["status"]!.GetValue<string>());
        Assert.Equal("Completed", await world.EngineStatusAsync(id));
    }

    [Fact]
    public async Task AStartNeverReplacesAPendingOrRunningInstance()
    {
        var azurite = await AzuriteServer.Shared;
        var journal = Path.Combine(Path.GetTempPath(), $"catalyst-probe-{Guid.NewGuid():N}.log");
        var settings = AppProcess.TestSettings(azurite, AppProcess.UniqueHubName("dedupe"));
        settings["PROBE_JOURNAL"] = journal;
        await using var app = AppProcess.Start(RepoPaths.BuildOutput("tests/TestHost", "Catalyst.TestHost.dll"), settings);
        await app.WaitHealthyAsync();

        async Task<bool> StartAsync(string id, string key)
        {
            using var response = await app.Http.PostAsync($"/probe/{id}/unless-active?key={key}", null);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonObject>())!["started"]!.GetValue<bool>();
        }
        async Task<JsonObject> WaitForAsync(string id, Func<JsonObject, bool> condition) => await Wait.ForAsync(async () =>
        {
            using var response = await app.Http.GetAsync($"/probe/{id}");
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            var state = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            return condition(state) ? state : null;
        }, TimeSpan.FromSeconds(60), $"probe {id}", TimeSpan.FromMilliseconds(200));
        string[] Journal() => File.Exists(journal) ? File.ReadAllLines(journal) : [];

        Assert.True(await StartAsync("d1", "first"));
        await WaitForAsync("d1", s => s["customStatus"]?.GetValue<string>() == "waiting-for-go");
        // A second start (a replica's timer, a retried create) and a burst of them: none replaces the running one.
        Assert.False(await StartAsync("d1", "second"));
        Assert.All(await Task.WhenAll(Enumerable.Range(0, 4).Select(i => StartAsync("d1", $"burst{i}"))), Assert.False);
        (await app.Http.PostAsync("/probe/d1/go", null)).EnsureSuccessStatusCode();
        var done = await WaitForAsync("d1", s => s["status"]!.GetValue<string>() == "Completed");
        Assert.Equal("done:go", done["output"]!.GetValue<string>());
        Assert.Equal(["first:before:started", "first:before:finished", "first:after:started", "first:after:finished"], Journal());

        // A finished instance may be started again (a retry's new run).
        Assert.True(await StartAsync("d1", "third"));
        await Wait.UntilAsync(() => Journal().Contains("third:before:finished"), TimeSpan.FromSeconds(60), "the new run to start");

        // Racing starts of a new instance: one wins, the others' start messages are discarded by the engine.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => StartAsync("d2", $"race{i}")));
        await WaitForAsync("d2", s => s["customStatus"]?.GetValue<string>() == "waiting-for-go");
        (await app.Http.PostAsync("/probe/d2/go", null)).EnsureSuccessStatusCode();
        await WaitForAsync("d2", s => s["status"]!.GetValue<string>() == "Completed");
        var raced = Journal().Where(l => l.StartsWith("race", StringComparison.Ordinal) && l.EndsWith(":before:started", StringComparison.Ordinal)).ToList();
        output.WriteLine(string.Join("\n", Journal()));
        Assert.Single(raced);
    }
}
