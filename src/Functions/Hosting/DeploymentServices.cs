using Catalyst.Domain.Configuration;
using Catalyst.Domain.Creation;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Domain.Tofu;
using Catalyst.Functions.Activities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Hosting;

/// <summary>The provisioning capability's services: stores,
/// vault, timeline, the creator and the tofu context.</summary>
public static class DeploymentServices
{
    public static IServiceCollection AddDeployments(this IServiceCollection services, IConfiguration configuration)
    {
        var read = configuration.Reader();
        // First, so it is checked first: a sandbox whose fakes are not on loopback could reach a real cloud.
        services.AddSettings(_ => SandboxMode.From(read));
        services.AddSingleton(TimeProvider.System);
        services.AddSettings(sp =>
            VaultKey.Load(read, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Catalyst.Vault")));
        services.AddSingleton(sp => new Vault(sp.GetRequiredService<StorageConnection>().Blobs,
            sp.GetRequiredService<VaultKey>().Bytes.ToArray()));
        services.AddSettings(_ => OperatorSecrets.From(read));
        services.AddSettings(_ => ProvisionSettings.From(read));
        services.AddSettings(_ => WatchSettings.From(read));
        // TofuRunContext (Activities, being rewritten elsewhere) still asks for factories; they hand out the one value
        // checked at start. Drop them once it injects the values.
        services.AddSingleton<Func<OperatorSecrets>>(sp => sp.GetRequiredService<OperatorSecrets>);
        services.AddSingleton<Func<ProvisionSettings>>(sp => sp.GetRequiredService<ProvisionSettings>);
        services.AddSingleton<HelmReleaseReader>();
        // Every value that must never be stored or logged, known at startup; per-run secrets are added by each run.
        services.AddSingleton(sp =>
            new Redactor(sp.GetRequiredService<OperatorSecrets>().Values.Append(read(VaultKey.SettingName))));
        services.AddSingleton(sp => new DeploymentStore(sp.GetRequiredService<StorageConnection>().Blobs));
        services.AddSettings(_ => EventLogOptions.From(read));
        services.AddSingleton(sp => new EventLog(sp.GetRequiredService<StorageConnection>().Blobs,
            sp.GetRequiredService<Redactor>(), sp.GetRequiredService<EventLogOptions>()));
        services.AddSingleton<Catalyst.Functions.Http.AuditTrail>();
        services.AddSingleton<IDeploymentEvents>(sp => sp.GetRequiredService<EventLog>());
        services.AddSingleton(sp => new IdempotencyKeys(sp.GetRequiredService<StorageConnection>().Blobs));
        services.AddSettings(sp =>
            InProgressLimit.From(read, sp.GetRequiredService<Catalyst.Domain.Auth.AuthSettings>().Mode));
        services.AddSettings(_ => WipeSettings.From(read));
        services.AddSettings(_ => Catalyst.Functions.Timers.HistorySettings.From(read));
        services.AddSettings(_ => Catalyst.Domain.Hetzner.OrphanSweepSettings.From(read),
            s => Catalyst.Functions.Timers.SweepOrphansFunction.IsDue(s.Schedule, DateTimeOffset.UnixEpoch,
                TimeSpan.Zero));
        // Transient: it checks tokens and reads the pool zone through typed HTTP clients, which must not live for ever.
        services.AddTransient<DeploymentCreator>();
        // PORT=0 (standalone: any free port) is replaced by the bound port once Kestrel listens.
        services.AddSingleton(_ => SelfAddress.From(read));
        services.AddSingleton<TofuRunContext>();
        services.AddHttpClient<Catalyst.Domain.Hetzner.HetznerSweep>((sp, http) =>
        {
            // The same endpoint the wizard's token check and tofu's hcloud provider use (DnsServices reads it).
            http.BaseAddress = sp.GetRequiredService<Catalyst.Domain.Wizard.HetznerEndpoint>().BaseUrl;
            http.Timeout = TimeSpan.FromSeconds(30);
        });
        return services;
    }
}
