using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// Where the module is, where tofu runs, which binary, how long a run may take (reference B.5, §H), and where
/// tofu reaches the app's own state backend. The work directory is scratch space: state lives in blob storage
/// (DESIGN §5), so a pod that loses its disk loses nothing a re-run cannot rebuild.
/// </summary>
public sealed record TofuSettings(string ModulePath, string WorkDirectory, string Binary, TimeSpan Timeout, string BackendUrl, int MaxParallel = TofuSettings.DefaultMaxParallel)
{
    public const string ModulePathSetting = "CATALYST_TOFU_MODULE_PATH";
    public const string WorkDirectorySetting = "CATALYST_TOFU_WORKDIR";
    public const string BinarySetting = "CATALYST_TOFU_BINARY";
    public const string TimeoutSetting = "CATALYST_TOFU_TIMEOUT";
    public const string BackendUrlSetting = "CATALYST_TOFU_BACKEND_URL";
    public const string MaxParallelSetting = "CATALYST_TOFU_MAX_PARALLEL";
    public const int DefaultMaxParallel = 4;

    public static TofuSettings From(Func<string, string?> read)
    {
        // tofu runs next to the app, so by default it talks to this very process over loopback.
        var backendUrl = Settings.Text(read, BackendUrlSetting) ?? $"http://127.0.0.1:{Settings.Int(read, "PORT", 8080, 0, 65535)}";
        if (!Uri.TryCreate(backendUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new SettingException(BackendUrlSetting, $"'{backendUrl}' is not an http(s) URL");
        return new TofuSettings(
            Settings.Text(read, ModulePathSetting, "/infra/hetzner"),
            Settings.Text(read, WorkDirectorySetting, "/var/lib/catalyst/tofu"),
            Settings.Text(read, BinarySetting, "tofu"),
            // The original's Phase-0 context timeout.
            Settings.Duration(read, TimeoutSetting, TimeSpan.FromMinutes(30)),
            backendUrl.TrimEnd('/'),
            // Activities run many at once (host.json); tofu processes are heavy, so they have their own, smaller limit.
            Settings.Int(read, MaxParallelSetting, DefaultMaxParallel, 1, 64));
    }
}
