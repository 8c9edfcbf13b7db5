using Catalyst.Functions.Http;
using Microsoft.Extensions.Configuration;

namespace Catalyst.Functions.Hosting;

/// <summary>The app's services, registered the same way in both hosts.</summary>
public static class CatalystServices
{
    public static IServiceCollection AddCatalyst(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => StorageConnection.FromConfiguration(configuration));
        services.AddSingleton<Readiness>();
        // The console's files are read and hashed once, here, not per request (issue 18).
        services.AddSingleton<Catalyst.Functions.WebConsole.ConsoleAssets>();
        services.AddSingleton<DeploymentStatusGauge>();
        services.AddSingleton<IReadinessCheck, StorageReadinessCheck>();
        services.AddDeployments(configuration);
        services.AddDns(configuration);
        services.AddTofu(configuration);
        services.AddClusterCache(configuration);
        services.AddPhase1Watch(configuration);
        services.AddStreams(configuration);
        services.AddAuth(configuration);
        return services;
    }
}
