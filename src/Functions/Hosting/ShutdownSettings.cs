using Catalyst.Domain.Configuration;
using Microsoft.Extensions.Configuration;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// How long a stopping standalone host may take. The whole budget must stay below the pod's
/// terminationGracePeriodSeconds, or the kubelet's SIGKILL decides instead of us.
/// </summary>
public sealed record ShutdownSettings(TimeSpan Drain, TimeSpan Total)
{
    public static ShutdownSettings From(IConfiguration configuration)
    {
        var drain = Settings.Duration(k => configuration[k], "CATALYST_SHUTDOWN_DRAIN_TIMEOUT",
            TimeSpan.FromSeconds(20));
        var total = Settings.Duration(k => configuration[k], "CATALYST_SHUTDOWN_TIMEOUT",
            drain + TimeSpan.FromSeconds(10));
        if (total <= drain)
            throw new SettingException("CATALYST_SHUTDOWN_TIMEOUT",
                $"must be longer than CATALYST_SHUTDOWN_DRAIN_TIMEOUT ({drain})");
        return new ShutdownSettings(drain, total);
    }
}
