using System.Text.Json.Serialization;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// One line of a deployment's timeline (reference A.10: <c>{time, phase, level, message, component?, state?}</c>).
/// <see cref="Key"/> makes appends idempotent: a retried writer appends nothing twice. <see cref="Seq"/> is the
/// event's position in the log, assigned on append; it is the SSE event id clients resume from.
/// </summary>
public sealed record DeploymentEvent
{
    [JsonPropertyName("seq")] public long Seq { get; init; }
    [JsonPropertyName("time")] public required DateTimeOffset Time { get; init; }
    [JsonPropertyName("phase")] public required string Phase { get; init; }
    [JsonPropertyName("level")] public required string Level { get; init; }
    [JsonPropertyName("message")] public required string Message { get; init; }
    [JsonPropertyName("component"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Component { get; init; }
    [JsonPropertyName("state"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? State { get; init; }
    [JsonPropertyName("key")] public required string Key { get; init; }

    public static DeploymentEvent Info(string key, string phase, string message, DateTimeOffset time) =>
        new() { Key = key, Phase = phase, Level = EventLevels.Info, Message = message, Time = time };
}

public static class EventLevels
{
    public const string Info = "info";
    public const string Warn = "warn";
    public const string Error = "error";
}

/// <summary>Where events go. Implementations redact secrets and drop events whose key is already logged.</summary>
public interface IDeploymentEvents
{
    Task AppendAsync(string deploymentId, IReadOnlyList<DeploymentEvent> events, CancellationToken cancellationToken);
}
