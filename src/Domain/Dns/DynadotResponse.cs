using System.Net;
using System.Text.Json;

namespace Catalyst.Domain.Dns;

/// <summary>
/// Reads api3.json answers: <c>{"&lt;Command&gt;Response": {...}}</c>. The status fields sit directly in that object
/// in live answers (openova issue #939 found the documented <c>ResponseHeader</c> wrapper to be fictional), but the
/// original parsed the wrapper (reference C.3), so both are accepted. <c>ResponseCode</c> comes as 0 or "0".
/// </summary>
public static class DynadotResponse
{
    public static void EnsureSuccess(HttpStatusCode status, string body, DynadotCredentials credentials)
    {
        if (status != HttpStatusCode.OK)
        {
            var failure = (int)status switch
            {
                401 or 403 => DynadotFailure.InvalidToken,
                429 => DynadotFailure.RateLimited,
                >= 500 => DynadotFailure.Unavailable,
                _ => DynadotFailure.Rejected,
            };
            throw new DynadotException(failure, credentials.Scrub($"dynadot api status {(int)status}: {body}"));
        }

        var (code, state, error) = ReadHeader(body, credentials);
        if (string.Equals(state, "success", StringComparison.OrdinalIgnoreCase) || code == "0") return;
        throw new DynadotException(DynadotException.Classify(error),
            credentials.Scrub($"dynadot api error: code={code} status={state} err={error}"));
    }

    static (string Code, string Status, string Error) ReadHeader(string body, DynadotCredentials credentials)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new JsonException("the answer is not a JSON object");
            var response = document.RootElement.EnumerateObject().Select(p => p.Value)
                .FirstOrDefault(v => v.ValueKind == JsonValueKind.Object);
            if (response.ValueKind != JsonValueKind.Object) return ("", "", "");
            var header = response.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.Object
                    && p.Name.EndsWith("Header", StringComparison.Ordinal))
                .Select(p => p.Value).FirstOrDefault();
            string Field(string name) =>
                Text(response, name) ?? (header.ValueKind == JsonValueKind.Object ? Text(header, name) : null) ?? "";
            return (Field("ResponseCode") is { Length: > 0 } c ? c : Field("SuccessCode"), Field("Status"),
                Field("Error"));
        }
        catch (JsonException e)
        {
            var start = body.Length > 256 ? body[..256] + "..." : body;
            throw new DynadotException(DynadotFailure.Unavailable,
                credentials.Scrub($"parse dynadot response: {e.Message} (body={start})"));
        }
    }

    static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
