using System.Text.Json.Serialization;

namespace Catalyst.Domain.Deployments;

/// <summary>What a wipe removed and what still needs an operator (the original's PurgeReport, #318).</summary>
public sealed record WipeReport
{
    [JsonPropertyName("tofuDestroyed")] public bool TofuDestroyed { get; init; }
    [JsonPropertyName("tofuError"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? TofuError { get; init; }
    [JsonPropertyName("dnsRemoved")] public IReadOnlyList<string> DnsRemoved { get; init; } = [];
    [JsonPropertyName("reservationReleased")] public bool ReservationReleased { get; init; }
    [JsonPropertyName("leftovers")] public IReadOnlyList<string> Leftovers { get; init; } = [];
    [JsonPropertyName("needsOperator")] public IReadOnlyList<string> NeedsOperator { get; init; } = [];
    [JsonPropertyName("secretsPurged")] public bool SecretsPurged { get; init; }
    [JsonPropertyName("finishedAt")] public DateTimeOffset? FinishedAt { get; init; }
}
