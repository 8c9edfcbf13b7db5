using System.Text.Json;
using System.Text.Json.Serialization;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// Turns a POSTed body into a request, or into the client error that explains why not. Nothing is stored for
/// a body that fails here.
/// </summary>
public static class DeploymentRequestReader
{
    public const int MaxBodyBytes = 64 * 1024;

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = false,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
        // Go's decoder leaves a field at its zero value for a JSON null; so do we, so that the rules see "" or [].
        Converters = { new NullAsEmptyString(), new NullAsEmptyList<RegionSpec>() },
    };

    public static (DeploymentRequest? Request, ApiError? Error) Read(string? contentType, ReadOnlySpan<byte> body,
        bool truncated)
    {
        if (truncated || body.Length > MaxBodyBytes)
            return (null,
                new ApiError("request-too-large", $"deployment request body must be under {MaxBodyBytes / 1024}KB"));
        if (!IsJson(contentType))
            return (null, new ApiError("invalid request body: Content-Type must be application/json",
                $"got '{contentType ?? "none"}'"));
        try
        {
            var request = JsonSerializer.Deserialize<DeploymentRequest>(body, Json);
            if (request is null)
                return (null, new ApiError("invalid request body: expected a JSON object", "the body was null"));
            return (request, null);
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 0 } path ? $" at {path}" : "";
            var what = e.Message.Split('.')[0];
            return (null, new ApiError($"invalid request body: {what}{where}", e.Message.Split(" Path:")[0]));
        }
    }

    static bool IsJson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return false;
        var media = contentType.Split(';')[0].Trim().ToLowerInvariant();
        return media == "application/json"
            || (media.StartsWith("application/", StringComparison.Ordinal)
                && media.EndsWith("+json", StringComparison.Ordinal));
    }
}

sealed class NullAsEmptyString : JsonConverter<string>
{
    public override bool HandleNull => true;

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? "" : reader.GetString()!;

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}

sealed class NullAsEmptyList<T> : JsonConverter<IReadOnlyList<T>>
{
    public override bool HandleNull => true;

    public override IReadOnlyList<T> Read(ref Utf8JsonReader reader, Type typeToConvert,
        JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? [] : JsonSerializer.Deserialize<List<T>>(ref reader, options)!;

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<T> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, options);
}
