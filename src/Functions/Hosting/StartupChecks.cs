using Catalyst.Domain.Configuration;
using Catalyst.Domain.Store;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// Builds the services that read required settings before the host starts serving, so a missing or malformed
/// setting stops the process at once with a message naming it (DESIGN §7) instead of failing the first request.
/// </summary>
public static class StartupChecks
{
    public static bool Pass(IServiceProvider services, ILogger log)
    {
        try
        {
            // A sandbox whose fakes are not on loopback could reach a real cloud: refuse before serving anything.
            services.GetRequiredService<Catalyst.Domain.Deployments.SandboxMode>();
            services.GetRequiredService<Vault>();
            services.GetRequiredService<Catalyst.Domain.ClusterCache.ClusterCacheOptions>();
            services.GetRequiredService<Catalyst.Domain.Deployments.InProgressLimit>();
            services.GetRequiredService<EventLogOptions>();
            services.GetRequiredService<Catalyst.Domain.Streams.StreamLimits>();
            services.GetRequiredService<Catalyst.Functions.Http.Streams.SseSettings>();
            // Read per use elsewhere, so read once here: a malformed timing or tofu setting stops the start, naming it,
            // instead of failing the first POST (issue 20).
            services.GetRequiredService<Catalyst.Domain.Tofu.TofuSettings>();
            services.GetRequiredService<Func<Catalyst.Domain.Deployments.ProvisionSettings>>()();
            services.GetRequiredService<Func<Catalyst.Domain.Flux.WatchSettings>>()();
            if (services.GetRequiredService<Catalyst.Domain.Auth.AuthSettings>().Mode == Catalyst.Domain.Auth.AuthMode.Off)
                log.LogWarning("{Warning}", Catalyst.Domain.Auth.AuthSettings.OffWarning);
            // Loads (or generates) the handover key now, so a key problem is logged at start, as the original did.
            services.GetRequiredService<Catalyst.Domain.Auth.SignerSource>();
            if (OperatingSystem.IsLinux() && Catalyst.Domain.Tofu.ChildLauncher.ParentDeathGuard is null)
                log.LogWarning("setpriv (util-linux) is not on PATH: a tofu child would outlive this process if it were killed");
            return true;
        }
        catch (SettingException e)
        {
            log.LogCritical("Cannot start: {Problem}", e.Message);
            return false;
        }
    }
}
