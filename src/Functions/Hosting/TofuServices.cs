using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Domain.Tofu;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Hosting;

/// <summary>The tofu runner, its state backend and the credentials both derive from the vault key.</summary>
public static class TofuServices
{
    public static IServiceCollection AddTofu(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings(_ => TofuSettings.From(configuration.Reader()));
        // The vault key is registered (and checked at start) by
        // DeploymentServices; the backend credentials derive from it.
        services.AddSingleton(sp => new TofuBackendCredentials(sp.GetRequiredService<VaultKey>().Bytes));
        services.AddSingleton(sp =>
            new TofuStateStore(sp.GetRequiredService<StorageConnection>().Blobs, sp.GetService<IDeploymentEvents>()));
        services.AddSingleton<ITofuStateLock>(sp => sp.GetRequiredService<TofuStateStore>());
        services.AddSingleton<ITofuRunner>(sp => new TofuRunner(
            sp.GetRequiredService<TofuSettings>(), sp.GetRequiredService<ITofuStateLock>(),
            sp.GetService<ILogger<TofuRunner>>()));
        return services;
    }
}
