using System.Text.Json.Nodes;
using Catalyst.FunctionsMode.Tests.WorkerProtocol.Rpc;
using Catalyst.Testing;
using Xunit.Abstractions;

namespace Catalyst.FunctionsMode.Tests.WorkerProtocol;

/// <summary>
/// Issue 19, part 1 (what is built of it): the unmodified Catalyst.Functions worker, started and driven the way the
/// Functions host drives it — command line, gRPC FunctionRpc handshake, HTTP triggers through the ASP.NET Core
/// integration's proxying, a timer trigger.
/// </summary>
public sealed class WorkerProtocolTests(ITestOutputHelper output) : IAsyncLifetime
{
    AzuriteServer azurite = null!;
    WorkerProtocolHost host = null!;
    Dictionary<string, string?> settings = null!;

    public async Task InitializeAsync()
    {
        azurite = await AzuriteServer.Shared;
        settings = AppProcess.TestSettings(azurite, AppProcess.UniqueHubName("wp"));
        foreach (var (k, v) in WizardBodies.OperatorSettings) settings[k] = v;
        var appDirectory = Path.GetDirectoryName(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"))!;
        try
        {
            host = await WorkerProtocolHost.StartAsync(appDirectory, settings, TimeSpan.FromSeconds(60));
            await host.StartDurableClientEndpointAsync(azurite.ConnectionString, Hub, partitionCount: 2);
        }
        catch
        {
            output.WriteLine("worker output:\n" + host?.Output);
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (host is not null)
        {
            output.WriteLine(string.Join('\n', host.Output.Split('\n').TakeLast(40)));
            await host.DisposeAsync();
        }
    }

    [Fact]
    public void TheWorkerLoadsEveryFunctionOfItsMetadataAndOffersHttpProxying()
    {
        var built = JsonNode.Parse(File.ReadAllText(RepoPaths.BuildOutput("src/Functions", "functions.metadata")))!.AsArray()
            .Select(f => f!["name"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(built, host.Functions.Select(f => f.Name).Order().ToList());
        Assert.All(host.Loaded, l => Assert.True(l.Value.Status == StatusResult.Types.Status.Success, $"{l.Key}: {l.Value.Result} {l.Value.Exception?.Message}"));
        Assert.StartsWith("http://", host.Capabilities["HttpUri"]);
    }

    [Fact]
    public async Task AnHttpTriggerRunsThroughTheProxiedRequest()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        var (http, invocation) = await host.InvokeHttpAsync("Healthz", request);
        Assert.True(invocation.Result.Status == StatusResult.Types.Status.Success, Describe(invocation));
        Assert.Equal(System.Net.HttpStatusCode.OK, http.StatusCode);
        Assert.Equal("ok", (await http.Content.ReadAsStringAsync()).Trim());
    }

    string Hub => settings["AzureFunctionsJobHost__extensions__durableTask__hubName"]!;

    [Fact]
    public async Task ACreateSchedulesItsWorkflowThroughTheDurableClientBinding()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deployments")
        {
            Content = new StringContent(WizardBodies.Valid("wproto").ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        var (http, invocation) = await host.InvokeHttpAsync("CreateDeployment", request);
        var body = await http.Content.ReadAsStringAsync();
        Assert.True(http.StatusCode == System.Net.HttpStatusCode.Created, $"{(int)http.StatusCode} {body}\n{Describe(invocation)}");
        var id = JsonNode.Parse(body)!["id"]!.GetValue<string>();
        // The worker's DurableTaskClient reached the task hub: the instance exists (Pending: this host runs no orchestrations).
        var table = new Azure.Data.Tables.TableClient(azurite.ConnectionString, Hub + "Instances");
        var instance = await table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(id, "");
        Assert.True(instance.HasValue, $"no instance {id} in {Hub}Instances");
        Assert.Equal("ProvisionSovereign", instance.Value!["Name"]);
        // No version here: in Functions mode the worker's client sends none, and the Durable extension's endpoint is what
        // stamps host.json's defaultVersion (read in its options, not run). The sidecar standing in for it does not.
        Assert.Null(instance.Value.GetString("Version"));
    }

    [Fact]
    public async Task OrchestratorAndActivityTriggersRunAsTheDurableExtensionSendsThem()
    {
        using var stop = new CancellationTokenSource();
        var bridge = host.RunDurableWorkAsync(stop.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deployments")
        {
            Content = new StringContent(WizardBodies.Valid("wpdurable").ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        var (http, _) = await host.InvokeHttpAsync("CreateDeployment", request);
        Assert.Equal(System.Net.HttpStatusCode.Created, http.StatusCode);
        // The orchestrator ran on the worker, scheduled an activity, the activity ran on the worker, and the
        // orchestrator replayed its result: an orchestrator invocation after an activity invocation, both successful.
        await Wait.UntilAsync(() => host.DurableInvocations.SkipWhile(i => !(i.StartsWith("activity ", StringComparison.Ordinal) && i.Contains(" Success", StringComparison.Ordinal))).Skip(1)
            .Any(i => i.StartsWith("orchestrator ProvisionSovereign Success", StringComparison.Ordinal)), TimeSpan.FromSeconds(60),
            "an orchestrator replay after an activity, through the worker");
        output.WriteLine(string.Join('\n', host.DurableInvocations));
        Assert.DoesNotContain(host.DurableInvocations, i => i.StartsWith("bridge error", StringComparison.Ordinal));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task ATimerTriggerRuns()
    {
        var invocation = await host.InvokeTimerAsync("PruneSnapshots");
        Assert.True(invocation.Result?.Status == StatusResult.Types.Status.Success, Describe(invocation));
    }

    string Describe(InvocationResponse invocation) =>
        $"{invocation}\nlogs:\n{string.Join('\n', host.Logs.Select(l => $"{l.Category} {l.Message}"))}";
}
