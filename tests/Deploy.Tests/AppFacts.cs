using System.Text.Json;
using System.Text.RegularExpressions;
using Catalyst.Testing;

namespace Catalyst.Deploy.Tests;

/// <summary>What the app says about itself, read from the repository and its build: the manifests are checked against these.</summary>
public static partial class AppFacts
{
    static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    static JsonElement HostJson { get; } = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json")), Lenient).RootElement;

    static JsonElement DurableTask => HostJson.GetProperty("extensions").GetProperty("durableTask");

    public static string HubName => DurableTask.GetProperty("hubName").GetString()!;

    public static int PartitionCount => DurableTask.GetProperty("storageProvider").GetProperty("partitionCount").GetInt32();

    public static int MaxConcurrentActivityFunctions => DurableTask.GetProperty("maxConcurrentActivityFunctions").GetInt32();

    /// <summary>The keys of local.settings.sample.json's Values: every setting of the app (DESIGN §7).</summary>
    public static IReadOnlyList<string> SampleSettings { get; } =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "local.settings.sample.json")), Lenient)
            .RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToList();

    /// <summary>
    /// Every "CATALYST_..." string literal in src/: a setting read in code but missing from local.settings.sample.json is
    /// still found here.
    /// </summary>
    public static IReadOnlyList<string> SettingsNamedInSource { get; } =
        Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Intersect(["bin", "obj"]).Any())
            .SelectMany(f => SettingLiteral().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Distinct().Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex("\"(CATALYST_[A-Z0-9_]*[A-Z0-9])\"")]
    private static partial Regex SettingLiteral();

    public sealed record HttpRoute(string Function, string Route, IReadOnlyList<string> Methods);

    /// <summary>The HTTP routes of the build's functions.metadata (what the Functions host serves; standalone serves the same).</summary>
    public static IReadOnlyList<HttpRoute> HttpRoutes()
    {
        var path = RepoPaths.BuildOutput(Path.Combine("src", "Functions"), "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build src/Functions first (the Deploy tests reference it, so building them builds it)");
        using var metadata = JsonDocument.Parse(File.ReadAllText(path));
        var routes = new List<HttpRoute>();
        foreach (var function in metadata.RootElement.EnumerateArray())
        {
            foreach (var binding in function.GetProperty("bindings").EnumerateArray())
            {
                if (!string.Equals(binding.GetProperty("type").GetString(), "httpTrigger", StringComparison.OrdinalIgnoreCase)) continue;
                var route = binding.TryGetProperty("route", out var r) && r.GetString() is { } text ? text : function.GetProperty("name").GetString()!;
                var methods = binding.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(v => v.GetString()!.ToUpperInvariant()).ToList() : [];
                routes.Add(new HttpRoute(function.GetProperty("name").GetString()!, route, methods));
            }
        }

        return routes;
    }

    /// <summary>host.json's http.routePrefix ("" here: /healthz, not /api/healthz).</summary>
    public static string RoutePrefix =>
        HostJson.GetProperty("extensions").TryGetProperty("http", out var http) && http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString() ?? "api"
            : "api";

    public static string NpmDevDependencyVersion(string package) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "package.json")))
            .RootElement.GetProperty("devDependencies").GetProperty(package).GetString()!;
}
