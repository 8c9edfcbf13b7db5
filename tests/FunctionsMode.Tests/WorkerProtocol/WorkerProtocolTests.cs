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

    public async Task InitializeAsync()
    {
        azurite = await AzuriteServer.Shared;
        var settings = AppProcess.TestSettings(azurite, AppProcess.UniqueHubName("wp"));
        var appDirectory = Path.GetDirectoryName(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"))!;
        try
        {
            host = await WorkerProtocolHost.StartAsync(appDirectory, settings, TimeSpan.FromSeconds(60));
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

    [Fact]
    public async Task ATimerTriggerRuns()
    {
        var invocation = await host.InvokeTimerAsync("PruneSnapshots");
        Assert.True(invocation.Result?.Status == StatusResult.Types.Status.Success, Describe(invocation));
    }

    string Describe(InvocationResponse invocation) =>
        $"{invocation}\nlogs:\n{string.Join('\n', host.Logs.Select(l => $"{l.Category} {l.Message}"))}";
}
