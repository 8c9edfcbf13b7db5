using System.Text.Json.Serialization;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// The error body every endpoint answers with: <c>{"error": "...", "detail": "..."}</c>, detail left out when null. The
/// one such record (the registrar endpoints had a second, with the status inside). A rule that refuses returns it with
/// its status as <c>(int Status, ApiError Error)</c>; triggers answer it through <c>HttpErrors.Json</c>.
/// </summary>
public sealed record ApiError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("detail"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null);
