using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// Gives standalone mode the configuration the Functions host would give the app: host.json under
/// <c>AzureFunctionsJobHost</c> (so <c>AzureFunctionsJobHost__extensions__durableTask__hubName</c> overrides it in both
/// modes), host.json's log levels, and <c>local.settings.json</c>'s Values — all below environment variables.
/// </summary>
public static class HostConfiguration
{
    public static void AddFunctionsSources(ConfigurationManager configuration, string contentRoot)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var hostJson = Path.Combine(contentRoot, "host.json");
        if (File.Exists(hostJson))
        {
            var host = new ConfigurationBuilder().AddJsonFile(hostJson, optional: false).Build();
            foreach (var (key, value) in host.AsEnumerable())
            {
                data[$"AzureFunctionsJobHost:{key}"] = value;
                if (key.StartsWith("logging:logLevel:", StringComparison.OrdinalIgnoreCase))
                {
                    var category = key["logging:logLevel:".Length..];
                    data[$"Logging:LogLevel:{(category.Equals("default", StringComparison.OrdinalIgnoreCase)
                        ? "Default" : category)}"] = value;
                }
            }
        }

        foreach (var candidate in new[] { Path.Combine(Directory.GetCurrentDirectory(), "local.settings.json"),
            Path.Combine(contentRoot, "local.settings.json") })
        {
            if (!File.Exists(candidate)) continue;
            using var document = JsonDocument.Parse(File.ReadAllText(candidate),
                new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.TryGetProperty("Values", out var values))
                foreach (var property in values.EnumerateObject())
                    data[property.Name.Replace("__", ":")] = property.Value.ValueKind == JsonValueKind.String
                        ? property.Value.GetString() : property.Value.GetRawText();
            break;
        }

        // Lowest priority: environment variables and command-line arguments, added by the builder, win.
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = data });
    }
}
