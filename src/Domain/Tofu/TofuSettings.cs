using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// Where the module is, where tofu runs, which binary, how long a run may take (reference B.5, §H), and where
/// tofu reaches the app's own state backend. The work directory is scratch space: state lives in blob storage
/// (DESIGN §5), so a pod that loses its disk loses nothing a re-run cannot rebuild.
/// </summary>
public sealed record TofuSettings(string ModulePath, string WorkDirectory, string Binary, TimeSpan Timeout,
    string? BackendUrl, int MaxParallel = TofuSettings.DefaultMaxParallel)
{
    public const string EnvPassthroughSetting = "CATALYST_TOFU_ENV_PASSTHROUGH";

    /// <summary>Environment variables (or <c>PREFIX*</c>) tofu may inherit beyond
    /// <see cref="TofuEnvironment.Inherited"/>: a provider mirror's config, the fakes' knobs.</summary>
    public IReadOnlyList<string> EnvPassthrough { get; init; } = [];

    public const string ModulePathSetting = "CATALYST_TOFU_MODULE_PATH";
    public const string WorkDirectorySetting = "CATALYST_TOFU_WORKDIR";
    public const string BinarySetting = "CATALYST_TOFU_BINARY";
    public const string TimeoutSetting = "CATALYST_TOFU_TIMEOUT";
    public const string BackendUrlSetting = "CATALYST_TOFU_BACKEND_URL";
    public const string MaxParallelSetting = "CATALYST_TOFU_MAX_PARALLEL";
    public const int DefaultMaxParallel = 4;

    public static TofuSettings From(Func<string, string?> read)
    {
        // Explicit only: by default tofu calls back into this very process, wherever it bound (SelfAddress; PORT=0
        // binds a free port, so a URL made from PORT here would be wrong).
        var backendUrl = Settings.Text(read, BackendUrlSetting);
        if (backendUrl is not null
            && (!Uri.TryCreate(backendUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            throw new SettingException(BackendUrlSetting, $"'{backendUrl}' is not an http(s) URL");
        return new TofuSettings(
            Settings.Text(read, ModulePathSetting, "/infra/hetzner"),
            Settings.Text(read, WorkDirectorySetting, "/var/lib/catalyst/tofu"),
            Settings.Text(read, BinarySetting, "tofu"),
            // The original's Phase-0 context timeout.
            Settings.Duration(read, TimeoutSetting, TimeSpan.FromMinutes(30)),
            backendUrl?.TrimEnd('/'),
            // Activities run many at once (host.json); tofu processes are heavy, so they have their own, smaller limit.
            Settings.Int(read, MaxParallelSetting, DefaultMaxParallel, 1, 64))
        {
            EnvPassthrough = Passthrough(Settings.Text(read, EnvPassthroughSetting, "")),
        };
    }

    static IReadOnlyList<string> Passthrough(string text)
    {
        var names = text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
            if (name.TrimEnd('*').Length == 0 || !name.TrimEnd('*').All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
                || name.IndexOf('*') is var star && star >= 0 && star != name.Length - 1)
                throw new SettingException(EnvPassthroughSetting,
                    $"'{name}' is not an environment variable name or NAME_PREFIX*");
        return names;
    }
}
