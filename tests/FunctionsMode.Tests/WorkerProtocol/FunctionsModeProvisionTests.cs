using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Catalyst.Testing;
using Xunit.Abstractions;

namespace Catalyst.FunctionsMode.Tests.WorkerProtocol;

/// <summary>
/// Issue 19's end-to-end: the sandbox provision (wizard → tofu → postback → watch → ready) with the app in Functions
/// mode, every trigger — HTTP, orchestrator, activity — invoked over the worker protocol by the test host.
/// </summary>
public sealed class FunctionsModeProvisionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TheSandboxProvisionReachesReadyThroughTheWorkerProtocol()
    {
        var azurite = await AzuriteServer.Shared;
        await using var cloud = await FakeSovereignCloud.StartAsync();
        cloud.Kubernetes.Installing(["bp-cilium", "bp-cert-manager", "bp-flux", "bp-keycloak"], TimeSpan.FromMilliseconds(300));
        var hub = AppProcess.UniqueHubName("wpe2e");
        var settings = cloud.AppSettings(azurite, null, hub);
        var appDirectory = Path.GetDirectoryName(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"))!;
        await using var host = await WorkerProtocolHost.StartAsync(appDirectory, settings, TimeSpan.FromSeconds(60), frontDoor: true);
        await host.StartDurableClientEndpointAsync(azurite.ConnectionString, hub, partitionCount: 2);
        using var stop = new CancellationTokenSource();
        var bridge = host.RunDurableWorkAsync(stop.Token);
        using var http = new HttpClient { BaseAddress = host.FrontDoor, Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            using var created = await WizardBodies.PostAsync(http, WizardBodies.Valid("fnmode"));
            var body = await created.Content.ReadFromJsonAsync<JsonObject>();
            Assert.True(created.IsSuccessStatusCode, $"{(int)created.StatusCode} {body}");
            var id = body!["id"]!.GetValue<string>();
            var state = await Wait.ForAsync(async () =>
            {
                var current = await http.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}");
                var status = current!["status"]!.GetValue<string>();
                return status is "ready" or "failed" ? current : null;
            }, TimeSpan.FromMinutes(3), "the provision to end");
            Assert.True(state["status"]!.GetValue<string>() == "ready", state.ToJsonString());
        }
        finally
        {
            output.WriteLine(string.Join('\n', host.DurableInvocations.Distinct()));
            output.WriteLine(string.Join('\n', host.Output.Split('\n').TakeLast(30)));
            await stop.CancelAsync();
        }
    }
}
