using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Domain.Tofu;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Hosting;

/// <summary>The tofu runner, its state backend and the credentials both derive from the vault key.</summary>
public static class TofuServices
{
    public static IServiceCollection AddTofu(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => TofuSettings.From(k => configuration[k]));
        // Resolved on first use: a host that never touches tofu or the vault does not need the key.
        services.TryAddSingleton(sp => VaultKey.Load(k => configuration[k], sp.GetService<ILoggerFactory>()?.CreateLogger("Catalyst.VaultKey")));
        services.AddSingleton(sp => new TofuBackendCredentials(sp.GetRequiredService<VaultKey>().Bytes));
        services.AddSingleton(sp => new TofuStateStore(sp.GetRequiredService<StorageConnection>().Blobs, sp.GetService<IDeploymentEvents>()));
        services.AddSingleton<ITofuStateLock>(sp => sp.GetRequiredService<TofuStateStore>());
        services.AddSingleton<ITofuRunner>(sp => new TofuRunner(
            sp.GetRequiredService<TofuSettings>(), sp.GetRequiredService<ITofuStateLock>(), sp.GetService<ILogger<TofuRunner>>()));
        return services;
    }
}
