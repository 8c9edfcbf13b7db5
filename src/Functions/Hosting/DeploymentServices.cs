using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Functions.Activities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Hosting;

/// <summary>The provisioning capability's services: stores, vault, timeline, the creator and the tofu context.</summary>
public static class DeploymentServices
{
    public static IServiceCollection AddDeployments(this IServiceCollection services, IConfiguration configuration)
    {
        string? Read(string key) => configuration[key];
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => VaultKey.Load(Read, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Catalyst.Vault")));
        services.AddSingleton(sp => new Vault(sp.GetRequiredService<StorageConnection>().Blobs, sp.GetRequiredService<VaultKey>().Bytes.ToArray()));
        services.AddSingleton<Func<OperatorSecrets>>(_ => () => OperatorSecrets.From(Read));
        services.AddSingleton<Func<ProvisionSettings>>(_ => () => ProvisionSettings.From(Read));
        services.AddSingleton<Func<WatchSettings>>(_ => () => WatchSettings.From(Read));
        services.AddSingleton<HelmReleaseReader>();
        // Every value that must never be stored or logged, known at startup; per-run secrets are added by each run.
        services.AddSingleton(sp => new Redactor(OperatorSecrets.From(Read).Values.Append(configuration[VaultKey.SettingName])));
        services.AddSingleton(sp => new DeploymentStore(sp.GetRequiredService<StorageConnection>().Blobs));
        services.AddSingleton(_ => EventLogOptions.From(Read));
        services.AddSingleton(sp => new EventLog(sp.GetRequiredService<StorageConnection>().Blobs, sp.GetRequiredService<Redactor>(), sp.GetRequiredService<EventLogOptions>()));
        services.AddSingleton<Catalyst.Functions.Http.AuditTrail>();
        services.AddSingleton<IDeploymentEvents>(sp => sp.GetRequiredService<EventLog>());
        services.AddSingleton(sp => new IdempotencyKeys(sp.GetRequiredService<StorageConnection>().Blobs));
        services.AddSingleton(_ => SandboxMode.From(Read));
        services.AddSingleton(sp => InProgressLimit.From(Read, sp.GetRequiredService<Catalyst.Domain.Auth.AuthSettings>().Mode));
        // Transient: it checks tokens and reads the pool zone through typed HTTP clients, which must not live for ever.
        services.AddTransient<DeploymentCreator>();
        services.AddSingleton(_ => new SelfAddress($"http://127.0.0.1:{(int.TryParse(configuration["PORT"], out var p) && p > 0 ? p : 8080)}"));
        services.AddSingleton<TofuRunContext>();
        services.AddHttpClient<Catalyst.Domain.Hetzner.HetznerSweep>(http =>
        {
            http.BaseAddress = new Uri((configuration["CATALYST_HETZNER_API_BASE_URL"] is { Length: > 0 } url ? url : "https://api.hetzner.cloud").TrimEnd('/') + "/");
            http.Timeout = TimeSpan.FromSeconds(30);
        });
        return services;
    }
}
