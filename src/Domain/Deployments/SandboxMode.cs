using System.Net;
using Catalyst.Domain.Configuration;
using Catalyst.Domain.Dns;
using Catalyst.Domain.Tofu;
using Catalyst.Domain.Wizard;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// CATALYST_SANDBOX: a Catalyst that provisions against fakes (the sandbox of `run.sh --sandbox`). Every record it
/// creates says <c>sandbox: true</c>, and it refuses to start unless nothing it would talk to can be a real cloud:
/// Hetzner, Dynadot and object storage on loopback, and a tofu binary
/// named explicitly (the default `tofu` on PATH could be real).
/// </summary>
public sealed record SandboxMode(bool Enabled)
{
    public const string Setting = "CATALYST_SANDBOX";

    public static readonly SandboxMode Off = new(false);

    public static SandboxMode From(Func<string, string?> read)
    {
        if (!Settings.Bool(read, Setting, false)) return Off;
        RequireLoopback(read, HetznerEndpoint.Setting);
        RequireLoopback(read, DynadotEndpoint.Setting);
        // The wizard's object-storage check signs a request with
        // the caller's keys: in a sandbox it may only reach a fake.
        RequireLoopback(read, Catalyst.Domain.Wizard.ObjectStorageEndpoint.Setting);
        var tofu = Settings.Text(read, TofuSettings.BinarySetting);
        // A bare name is looked up on PATH, where the real tofu may be; a path names the one binary we mean.
        if (tofu is null || Path.GetFileName(tofu) == tofu)
            throw new SettingException(Setting,
                $"sandbox mode needs {TofuSettings.BinarySetting} set to the path of a fake tofu, " +
                $"not '{tofu ?? "tofu"}' from PATH");
        return new SandboxMode(true);
    }

    static void RequireLoopback(Func<string, string?> read, string setting)
    {
        var url = Settings.Text(read, setting)?.Replace("{region}", "fsn1", StringComparison.Ordinal);
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IsLoopback(uri.Host))
            throw new SettingException(Setting,
                $"sandbox mode needs {setting} on loopback (127.0.0.1, ::1 or localhost), " +
                $"not '{url ?? "the real API (default)"}'");
    }

    static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
}
