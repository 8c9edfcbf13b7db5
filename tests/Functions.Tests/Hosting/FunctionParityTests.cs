using System.Text.Json;
using Catalyst.Functions.Hosting;
using Catalyst.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Catalyst.Functions.Tests.Hosting;

/// <summary>
/// Both hosts expose the same functions: what the Worker SDK wrote into functions.metadata for the Functions
/// host equals what standalone mode discovers and actually maps.
/// </summary>
public class FunctionParityTests
{
    static readonly FunctionCatalog Catalog = FunctionCatalog.Discover([typeof(StandaloneHost).Assembly]);

    static List<(string Name, string Type, JsonElement Binding)> Metadata()
    {
        var path = RepoPaths.BuildOutput("src/Functions", "functions.metadata");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray()
            .Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: f.GetProperty("bindings").EnumerateArray()
                .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)).Clone()))
            .Select(f => (f.Name, f.Trigger.GetProperty("type").GetString()!, f.Trigger))
            .ToList();
    }

    static string HttpKey(string name, string route, IEnumerable<string> methods) =>
        $"{name} {route.Trim('/')} {string.Join(",", methods.Select(m => m.ToUpperInvariant()).Order())}";

    [Fact]
    public void HttpRoutesMatchTheMetadata()
    {
        var fromMetadata = Metadata().Where(f => f.Type == "httpTrigger")
            .Select(f => HttpKey(f.Name, f.Binding.GetProperty("route").GetString()!, f.Binding.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!)))
            .Order().ToList();
        var fromCatalog = Catalog.Http.Select(f => HttpKey(f.Name, f.Route, f.Methods)).Order().ToList();

        Assert.Contains(fromMetadata, k => k.StartsWith("Healthz healthz GET", StringComparison.Ordinal));
        Assert.Equal(fromMetadata, fromCatalog);
    }

    [Fact]
    public void StandaloneMapsExactlyTheMetadataRoutes()
    {
        var app = WebApplication.CreateSlimBuilder().Build();
        app.MapHttpFunctions(Catalog.Http);
        var mapped = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Select(e => HttpKey(e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName, e.RoutePattern.RawText!,
                e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods))
            .Order().ToList();
        var fromMetadata = Metadata().Where(f => f.Type == "httpTrigger")
            .Select(f => HttpKey(f.Name, f.Binding.GetProperty("route").GetString()!, f.Binding.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!)))
            .Order().ToList();

        Assert.Equal(fromMetadata, mapped);
    }

    [Fact]
    public void DurableAndTimerFunctionsMatchTheMetadata()
    {
        var metadata = Metadata();
        Assert.Equal(metadata.Where(f => f.Type == "orchestrationTrigger").Select(f => f.Name).Order(), Catalog.Orchestrators.Select(f => f.Name).Order());
        Assert.Equal(metadata.Where(f => f.Type == "activityTrigger").Select(f => f.Name).Order(), Catalog.Activities.Select(f => f.Name).Order());
        Assert.Equal(
            metadata.Where(f => f.Type == "timerTrigger").Select(f => $"{f.Name} {f.Binding.GetProperty("schedule").GetString()}").Order(),
            Catalog.Timers.Select(f => $"{f.Name} {f.Schedule}").Order());
    }

    [Fact]
    public void EveryMetadataFunctionIsHostedStandalone()
    {
        var hosted = Catalog.Http.Select(f => f.Name).Concat(Catalog.Orchestrators.Select(f => f.Name))
            .Concat(Catalog.Activities.Select(f => f.Name)).Concat(Catalog.Timers.Select(f => f.Name)).Order();
        Assert.Equal(Metadata().Select(f => f.Name).Order(), hosted);
    }
}
