namespace Catalyst.Functions.Hosting;

public enum HostMode { Functions, Standalone }

/// <summary>
/// Which host runs this process. <c>CATALYST_HOST_MODE</c> (functions | standalone | auto, default auto) forces it;
/// auto means Functions when the Functions host started us — it passes the worker its gRPC address.
/// </summary>
public static class HostModeSelector
{
    public const string Setting = "CATALYST_HOST_MODE";

    public static HostMode Select(string[] args, Func<string, string?> environment)
    {
        var forced = environment(Setting)?.Trim().ToLowerInvariant();
        return forced switch
        {
            "functions" => HostMode.Functions,
            "standalone" => HostMode.Standalone,
            null or "" or "auto" => StartedByFunctionsHost(args) ? HostMode.Functions : HostMode.Standalone,
            _ => throw new Catalyst.Domain.Configuration.SettingException(Setting,
                $"'{forced}' is not functions, standalone or auto"),
        };
    }

    static bool StartedByFunctionsHost(string[] args) =>
        args.Any(a => a.Equals("--functions-uri", StringComparison.OrdinalIgnoreCase)
            || a.Equals("--workerId", StringComparison.OrdinalIgnoreCase));
}
