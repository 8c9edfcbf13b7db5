using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// Where this process serves HTTP, for children that call back into it (tofu's state backend). Standalone sets it
/// once Kestrel has bound (PORT=0 picks a port); otherwise it is PORT on loopback. PORT is read here only.
/// </summary>
public sealed class SelfAddress(string baseUrl)
{
    public const string PortSetting = "PORT";

    public string BaseUrl { get; set; } = baseUrl.TrimEnd('/');

    /// <summary>The port to listen on: 8080 by default, 0 for any free one.</summary>
    public static int Port(Func<string, string?> read) => Settings.Int(read, PortSetting, 8080, 0, 65535);

    /// <summary>Loopback on PORT until the host knows better (PORT=0 is replaced by the bound port).</summary>
    public static SelfAddress From(Func<string, string?> read) =>
        new($"http://127.0.0.1:{(Port(read) is > 0 and var port ? port : 8080)}");
}
