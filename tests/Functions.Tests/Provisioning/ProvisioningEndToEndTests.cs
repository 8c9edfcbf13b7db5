using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Catalyst.Testing;
using Xunit.Abstractions;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>POST → tofu → postback → watch → outcome, through the real HTTP API, with every outside system faked.</summary>
public partial class ProvisioningEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PoolDeploymentBecomesReadyWithEveryComponentInstalled()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromSeconds(1));
        // The handover signer on, so the ready step announces a handover (and nothing may carry its token).
        var keyFolder = Directory.CreateTempSubdirectory("e2e-key-").FullName;
        world.Settings["CATALYST_HANDOVER_KEY_PATH"] = Path.Combine(keyFolder, "handover.pem");
        // Secrets of the host that tofu must not inherit (issue 15): the fake tofu writes down the names it got.
        var envNames = Path.Combine(keyFolder, "tofu-env-names");
        world.Settings["FAKE_TOFU_ENV_NAMES"] = envNames;
        world.Settings["IDENTITY_HEADER"] = "managed-identity-secret";
        world.Settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=telemetry";
        var app = await world.StartAppAsync();

        var posted = Stopwatch.StartNew();
        var id = await world.CreateDeploymentAsync("happy");
        var sse = await ReadSseUntilAsync(app, id, line => line.Contains("Apply complete!"));
        output.WriteLine($"first SSE tofu line after {posted.Elapsed.TotalMilliseconds:0} ms");
        var ready = await world.WaitForStatusAsync(id, "ready");

        Assert.All(ProvisioningWorld.Kit, hr => Assert.Equal("installed", ready["componentStates"]![hr["bp-".Length..]]!.GetValue<string>()));
        Assert.Equal("ready", ready["result"]!["phase1Outcome"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(ready["result"]!["loadBalancerIP"]!.GetValue<string>()));
        Assert.Contains("tofu-init", sse);
        var events = await world.EventsAsync(id);
        Assert.Contains(events, e => e["phase"]!.GetValue<string>() == "tofu" && e["message"]!.GetValue<string>().Contains("Apply complete!"));
        Assert.Equal(ProvisioningWorld.Kit.Length, events.Count(e => e["state"]?.GetValue<string>() == "installed"));
        var zone = world.Dynadot.ZoneOf("omani.works");
        Assert.Contains(zone.Sub, r => r.Host == "console.happy" && r.Value == ready["result"]!["loadBalancerIP"]!.GetValue<string>());

        using var kubeconfig = await app.Http.GetAsync($"/api/v1/deployments/{id}/kubeconfig");
        Assert.Equal(HttpStatusCode.OK, kubeconfig.StatusCode);
        Assert.Equal(File.ReadAllText(world.KubeconfigFile), await kubeconfig.Content.ReadAsStringAsync());
        Assert.Equal("attachment; filename=\"happy.omani.works-kubeconfig.yaml\"", kubeconfig.Content.Headers.ContentDisposition!.ToString());

        await SecretScan.AssertNoPlaintextAsync(world.Azurite, app.Output, await SecretScan.SecretsOfAsync(world.Azurite, id));

        // Issue 14: a ready deployment's stream, timeline, record and log carry no JWT; the stream says where the owner
        // mints the handover instead (the original minted a sovereign-admin token for every stream connection).
        var stream = await ReadSseUntilAsync(app, id, line => line == "event: done");
        Assert.Contains($"\"mintURL\":\"/api/v1/deployments/{id}/mint-handover-token\"", stream);
        var record = await (await app.Http.GetAsync($"/api/v1/deployments/{id}")).Content.ReadAsStringAsync();
        var timeline = await (await app.Http.GetAsync($"/api/v1/deployments/{id}/events")).Content.ReadAsStringAsync();
        var stored = (await new Azure.Storage.Blobs.BlobServiceClient(world.Azurite.ConnectionString).GetBlobContainerClient("deployments")
            .GetBlobClient($"{id}.json").DownloadContentAsync()).Value.Content.ToString();
        foreach (var (where, text) in new[] { ("stream", stream), ("record", record), ("stored record", stored), ("timeline", timeline), ("log", app.Output) })
            Assert.False(Jwt().IsMatch(text), $"the {where} holds a JWT: {Jwt().Match(text).Value[..Math.Min(20, Jwt().Match(text).Length)]}…");
        var tofuGot = File.ReadAllLines(envNames);
        Assert.All(tofuGot, name => Assert.True(Catalyst.Domain.Tofu.TofuEnvironment.Inherited.Contains(name)
            || name is "TF_INPUT" or "TF_IN_AUTOMATION" or "TF_ENCRYPTION" or "HCLOUD_ENDPOINT"
            || name is "PWD" or "SHLVL" or "_" // set by the fake's bash wrapper itself, not inherited
            || name.StartsWith("TF_VAR_", StringComparison.Ordinal) || name.StartsWith("TF_HTTP_", StringComparison.Ordinal)
            || name.StartsWith("FAKE_TOFU_", StringComparison.Ordinal), $"tofu inherited {name}"));
        Assert.Contains("PATH", tofuGot);
        Assert.DoesNotContain(tofuGot, n => n.Contains("DYNADOT", StringComparison.OrdinalIgnoreCase) || n.Contains("dynadot", StringComparison.Ordinal));
        Directory.Delete(keyFolder, recursive: true);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.")]
    private static partial System.Text.RegularExpressions.Regex Jwt();

    [Fact]
    public async Task OneFailingHelmReleaseFailsTheDeploymentWithTheBreakdown()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit[..3], TimeSpan.FromMilliseconds(500))
            .With("bp-keycloak", new FakeHelmReleaseApi.Step(TimeSpan.Zero, "False", "InstallFailed", "Helm install failed: timed out waiting for the condition"));
        await world.StartAppAsync();

        var id = await world.CreateDeploymentAsync("broken");
        var failed = await world.WaitForStatusAsync(id, "failed");

        Assert.Equal("Phase 1 finished with 1 failed component(s); see ComponentStates for the per-component breakdown", failed["error"]!.GetValue<string>());
        Assert.Equal("failed", failed["componentStates"]!["keycloak"]!.GetValue<string>());
        Assert.Equal("installed", failed["componentStates"]!["cilium"]!.GetValue<string>());
        Assert.Equal("failed", failed["result"]!["phase1Outcome"]!.GetValue<string>());
        var events = await world.EventsAsync(id);
        Assert.Contains(events, e => e["component"]?.GetValue<string>() == "keycloak" && e["level"]!.GetValue<string>() == "error");
    }

    [Fact]
    public async Task ZeroHelmReleasesIsFluxNotReconciling()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Settings["CATALYST_PHASE1_WATCH_TIMEOUT"] = "6s";
        world.Settings["CATALYST_PHASE1_FIRST_SEEN_TIMEOUT"] = "2s";
        await world.StartAppAsync();

        var id = await world.CreateDeploymentAsync("silent", b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.silent.example"; });
        var failed = await world.WaitForStatusAsync(id, "failed");

        Assert.Equal("flux-not-reconciling", failed["result"]!["phase1Outcome"]!.GetValue<string>());
        Assert.StartsWith("Phase 1 watch saw zero HelmReleases", failed["error"]!.GetValue<string>());
        var events = await world.EventsAsync(id);
        var firstSeen = Assert.Single(events, e => e["message"]!.GetValue<string>().StartsWith("Phase 1 watch saw 0 HelmReleases in 2s"));
        // The original's watch emitted its notices as `component` events (issue 17), where its console looks for them.
        Assert.Equal(("component", "warn"), (firstSeen["phase"]!.GetValue<string>(), firstSeen["level"]!.GetValue<string>()));
        var timeout = Assert.Single(events, e => e["message"]!.GetValue<string>().StartsWith("Phase-1 watch terminated by context"));
        Assert.Equal("component", timeout["phase"]!.GetValue<string>());
        Assert.Empty(world.Dynadot.Calls);
    }

    [Fact]
    public async Task NoPostbackIsKubeconfigMissingThenALatePutRunsTheWatchToReady()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(300));
        world.Settings["CATALYST_PHASE1_KUBECONFIG_ARRIVAL_TIMEOUT"] = "3s";
        world.Settings.Remove("FAKE_TOFU_KUBECONFIG_FILE");
        var app = await world.StartAppAsync();

        var id = await world.CreateDeploymentAsync("late");
        var missing = await world.WaitForStatusAsync(id, "failed");
        Assert.Equal("kubeconfig-missing", missing["result"]!["phase1Outcome"]!.GetValue<string>());
        Assert.StartsWith("Phase 1 watch never ran", missing["error"]!.GetValue<string>());

        var bearer = await SecretScan.BearerOfAsync(world.Azurite, id);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/deployments/{id}/kubeconfig") { Content = new StringContent(File.ReadAllText(world.KubeconfigFile)) };
        put.Headers.Add("Authorization", $"Bearer {bearer}");
        using var accepted = await app.Http.SendAsync(put);
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);

        var ready = await world.WaitForStatusAsync(id, "ready");
        Assert.Null(ready["error"]);
        Assert.Equal("ready", ready["result"]!["phase1Outcome"]!.GetValue<string>());
    }

    [Fact]
    public async Task WipeDestroysAndASecondWipeChangesNothing()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(300));
        world.Settings["CATALYST_WIPE_WAIT"] = "60s";
        var app = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync("wipe");
        await world.WaitForStatusAsync(id, "ready");
        var created = world.JournalLines().Count(l => l.StartsWith("created", StringComparison.Ordinal));

        using var first = await app.Http.PostAsync($"/api/v1/deployments/{id}/wipe", null);
        var report = (await first.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("wiped", report["status"]!.GetValue<string>());
        Assert.True(report["report"]!["tofuDestroyed"]!.GetValue<bool>());
        Assert.True(report["report"]!["reservationReleased"]!.GetValue<bool>());
        Assert.Equal(created, world.JournalLines().Count(l => l.StartsWith("destroyed", StringComparison.Ordinal)));
        Assert.DoesNotContain(world.Dynadot.ZoneOf("omani.works").Sub, r => r.Host.EndsWith("wipe", StringComparison.Ordinal));

        var journalBefore = world.JournalLines().Length;
        var dynadotCallsBefore = world.Dynadot.Calls.Count;
        using var second = await app.Http.PostAsync($"/api/v1/deployments/{id}/wipe", null);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("wiped", (await second.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
        Assert.Equal(journalBefore, world.JournalLines().Length);
        Assert.Equal(dynadotCallsBefore, world.Dynadot.Calls.Count);
    }

    [Fact]
    public async Task AFailedApplyNamesWhoMustActAndARetryRunsTheWorkflowAgain()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(300));
        world.Settings["FAKE_TOFU_FAIL"] = "apply";
        var failing = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync("retry", b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.retry.example"; });
        var failed = await world.WaitForStatusAsync(id, "failed");
        Assert.Equal(("user", "tofu"), (failed["failure"]!["actor"]!.GetValue<string>(), failed["failure"]!["phase"]!.GetValue<string>()));
        using (var early = await failing.Http.PostAsync($"/api/v1/deployments/{id}/phases/reboot/retry", null))
            Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
        await failing.DisposeAsync();

        world.Settings.Remove("FAKE_TOFU_FAIL"); // the user fixed their token
        var app = await world.StartAppAsync();
        using var retry = await app.Http.PostAsync($"/api/v1/deployments/{id}/phases/tofu-apply/retry", null);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("provisioning", (await retry.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
        using (var again = await app.Http.PostAsync($"/api/v1/deployments/{id}/phases/tofu-apply/retry", null))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var ready = await world.WaitForStatusAsync(id, "ready");
        Assert.Null(ready["failure"]);
    }

    [Fact]
    public async Task TheStreamResumesAfterLastEventId()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(200));
        var app = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync("resume", b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.resume.example"; });
        await world.WaitForStatusAsync(id, "ready");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deployments/{id}/logs");
        request.Headers.Add("Last-Event-ID", "9");
        using var response = await app.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var ids = body.Split('\n').Where(l => l.StartsWith("id: ", StringComparison.Ordinal)).Select(l => long.Parse(l[4..])).ToList();
        Assert.Equal(10, ids[0]);
        Assert.Equal(Enumerable.Range(10, ids.Count).Select(i => (long)i), ids);
        Assert.Contains("event: done", body);
    }

    static async Task<string> ReadSseUntilAsync(AppProcess app, string id, Func<string, bool> until)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var stream = await app.Http.GetStreamAsync($"/api/v1/deployments/{id}/logs", cts.Token);
        using var reader = new StreamReader(stream);
        var seen = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            seen.AppendLine(line);
            if (until(line)) return seen.ToString();
        }
        throw new InvalidOperationException("the stream ended before the expected line:\n" + seen);
    }
}
