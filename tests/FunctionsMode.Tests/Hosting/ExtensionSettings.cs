using System.Reflection;
using Catalyst.Functions.Hosting;
using DurableTask.AzureStorage;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Catalyst.FunctionsMode.Tests.Hosting;

/// <summary>
/// The engine settings the Functions host's Durable extension (Microsoft.Azure.WebJobs.Extensions.DurableTask, the
/// version the Worker SDK restores for this app) builds from a host.json: its own options binding and its own
/// AzureStorageDurabilityProviderFactory, reached the way the Functions host reaches them (a WebJobs host with
/// <c>AddDurableTask()</c>, host.json under <c>AzureFunctionsJobHost</c>). Only the last step, the factory's internal
/// <c>GetAzureStorageOrchestrationServiceSettings</c>, is called by reflection.
/// </summary>
public static class ExtensionSettings
{
    public static AzureStorageOrchestrationServiceSettings Build(IConfiguration appConfiguration) => Build(appConfiguration, out _, out _);

    public static AzureStorageOrchestrationServiceSettings Build(IConfiguration appConfiguration, out DurableTaskOptions options, out string connectionName)
    {
        var builder = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddConfiguration(appConfiguration))
            .ConfigureWebJobs(b => b.AddDurableTask())
            // After ConfigureWebJobs, which adds the process environment: these must win over it.
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                // What the Functions host sets: WebJobs reads extension options under this section.
                ["AzureWebJobsConfigurationSection"] = "AzureFunctionsJobHost",
                ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
                // A KEDA pod is not a consumption plan: the extension decides that from these two (empty there, as in
                // deploy/keda; this machine happens to set CONTAINER_NAME, which would mean Linux consumption).
                ["CONTAINER_NAME"] = "",
                ["WEBSITE_SKU"] = "",
            }));
        using var host = builder.Build();
        options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DurableTaskOptions>>().Value;
        var factory = host.Services.GetServices<IDurabilityProviderFactory>().Single(f => f.Name == "AzureStorage");
        var method = factory.GetType().GetMethod("GetAzureStorageOrchestrationServiceSettings", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("the extension no longer has GetAzureStorageOrchestrationServiceSettings; read its source again");
        // The factory validates and sanitises the hub name first, as it does before it builds a provider.
        factory.GetType().GetMethod("EnsureDefaultClientSettingsInitialized", BindingFlags.Instance | BindingFlags.NonPublic)?.Invoke(factory, null);
        connectionName = (string)factory.GetType().GetProperty("DefaultConnectionName", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(factory)!;
        return (AzureStorageOrchestrationServiceSettings)method.Invoke(factory, [null, null])!;
    }

    /// <summary>The settings' scalar properties by name, as text, for comparing.</summary>
    public static IReadOnlyDictionary<string, string> Describe(AzureStorageOrchestrationServiceSettings settings) =>
        typeof(AzureStorageOrchestrationServiceSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .Where(p => p.PropertyType.IsPrimitive || p.PropertyType.IsEnum || p.PropertyType == typeof(string) || p.PropertyType == typeof(TimeSpan)
                || Nullable.GetUnderlyingType(p.PropertyType) is { IsPrimitive: true } || p.PropertyType == typeof(TimeSpan?))
            .ToDictionary(p => p.Name, p => p.GetValue(settings)?.ToString() ?? "(null)");
}
