using Catalyst.Domain.Configuration;
using Microsoft.Extensions.Configuration;

namespace Catalyst.Functions.Http.Streams;

/// <summary>
/// How long one server-sent event response may last (issue 19). The Functions host applies host.json's
/// <c>functionTimeout</c> to HTTP invocations too, and on a timeout it restarts the worker — every apply on that
/// replica with it. So a stream ends cleanly after <see cref="MaxDuration"/> (default 10 min), telling the client to
/// reconnect (<c>retry:</c>); EventSource does, sending <c>Last-Event-ID</c>, and the stream carries on from there.
/// Standalone has no such timeout, and ends streams alike so the two modes behave the same.
/// </summary>
public sealed record SseSettings(TimeSpan MaxDuration, TimeSpan Heartbeat, TimeSpan ReconnectAfter)
{
    public const string MaxDurationSetting = "CATALYST_SSE_MAX_DURATION";
    const string FunctionTimeoutKey = "AzureFunctionsJobHost:functionTimeout";

    /// <summary>Streams end at least this long before the host's <c>functionTimeout</c>.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    public static SseSettings From(IConfiguration configuration)
    {
        var max = Settings.Duration(k => configuration[k], MaxDurationSetting, TimeSpan.FromMinutes(10));
        if (max <= TimeSpan.Zero) throw new SettingException(MaxDurationSetting, "must be positive");
        // host.json's value, as both hosts read it (HostConfiguration puts host.json under AzureFunctionsJobHost).
        if (configuration[FunctionTimeoutKey] is { Length: > 0 } text
            && TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var timeout)
            && timeout > TimeSpan.Zero && max > timeout - Margin)
            throw new SettingException(MaxDurationSetting,
                $"{max} does not end a stream a minute before host.json's functionTimeout ({timeout}), " +
                "after which the Functions host restarts the worker");
        return new SseSettings(max, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(1));
    }
}
