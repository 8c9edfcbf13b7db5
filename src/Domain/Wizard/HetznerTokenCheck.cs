using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Serialization;

namespace Catalyst.Domain.Wizard;

/// <summary>The answer to <c>POST /api/v1/credentials/validate</c>
/// and the HTTP status it goes with (reference A.4).</summary>
public sealed record TokenVerdict(
    [property: JsonIgnore] int Status,
    [property: JsonPropertyName("valid")] bool Valid,
    [property: JsonPropertyName("message")] string Message);

/// <summary>Where Hetzner Cloud is. <c>CATALYST_HETZNER_API_BASE_URL</c> lets tests point at a fake.</summary>
public sealed record HetznerEndpoint(Uri BaseUrl)
{
    public const string Setting = "CATALYST_HETZNER_API_BASE_URL";
    public static readonly Uri Default = new("https://api.hetzner.cloud");
}

/// <summary>
/// Proves a Hetzner token before a provision depends on it: <c>GET /v1/servers</c> needs read access, and a
/// read-only token is refused there only for writes, so the message asks for Read &amp; Write as the original did.
/// The token is sent once and never logged.
/// </summary>
public sealed class HetznerTokenCheck(HttpClient http, HetznerEndpoint endpoint)
{
    public const int MinimumLength = 64;

    public async Task<TokenVerdict> CheckAsync(string? token, CancellationToken cancellationToken)
    {
        var trimmed = token?.Trim() ?? "";
        if (trimmed.Length < MinimumLength)
            return new TokenVerdict(400, false, "token too short — Hetzner API tokens are at least 64 characters");

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoint.BaseUrl, "v1/servers"));
        try
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", trimmed);
        }
        catch (FormatException)
        {
            return new TokenVerdict(400, false, "token contains characters an HTTP header cannot carry");
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead,
                cancellationToken);
            return response.StatusCode switch
            {
                HttpStatusCode.OK => new TokenVerdict(200, true, "read/write access confirmed"),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
                    new TokenVerdict(200, false, "token rejected — ensure it has Read & Write permissions"),
                _ => Unreachable,
            };
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return Unreachable; // network error or the 10 s timeout
        }
    }

    static TokenVerdict Unreachable => new(503, false, "could not reach Hetzner API — check network connectivity");
}
