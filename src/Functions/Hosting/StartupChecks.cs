using Catalyst.Domain.Configuration;
using Catalyst.Domain.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// Runs before either host serves: every registered settings type is built and checked (see
/// <see cref="SettingsRegistration"/>), so a missing or malformed setting stops the process at once with one line
/// naming it (DESIGN §7) instead of failing the first request; then the pieces that load state at start (vault,
/// signer).
/// </summary>
public static class StartupChecks
{
    public static bool Pass(IServiceProvider services, ILogger log)
    {
        try
        {
            // Every settings type registered with AddSettings (ValidateOnStart), with no list kept here: a malformed
            // one stops the start naming it instead of failing the first request (issue 20). The sandbox check is one
            // of them.
            services.GetService<IStartupValidator>()?.Validate();
            services.GetRequiredService<Vault>();
            if (services.GetRequiredService<Catalyst.Domain.Auth.AuthSettings>(
                ).Mode == Catalyst.Domain.Auth.AuthMode.Off)
                log.LogWarning("{Warning}", Catalyst.Domain.Auth.AuthSettings.OffWarning);
            // Loads (or generates) the handover key now, so a key problem is logged at start, as the original did.
            services.GetRequiredService<Catalyst.Domain.Auth.SignerSource>();
            if (OperatingSystem.IsLinux() && Catalyst.Domain.Tofu.ChildLauncher.ParentDeathGuard is null)
                log.LogWarning(
                    "setpriv (util-linux) is not on PATH: a tofu child would outlive this process if it were killed");
            return true;
        }
        catch (SettingException e)
        {
            log.LogCritical("Cannot start: {Problem}", e.Message);
            return false;
        }
        catch (OptionsValidationException e)
        {
            log.LogCritical("Cannot start: {Problem}", string.Join("; ", e.Failures));
            return false;
        }
    }
}
