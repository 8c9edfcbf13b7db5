using System.Text.Json.Nodes;

namespace Catalyst.Functions.Tests.Http.ClusterCache;

/// <summary>Reads a server-sent event stream line by line, with a deadline on every read so a silent stream fails the test.</summary>
public sealed class SseClient : IAsyncDisposable
{
    readonly HttpResponseMessage response;
    readonly StreamReader reader;

    SseClient(HttpResponseMessage response, StreamReader reader)
    {
        this.response = response;
        this.reader = reader;
    }

    public string? ContentType => response.Content.Headers.ContentType?.MediaType;

    public static async Task<SseClient> OpenAsync(HttpClient http, string path)
    {
        var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new SseClient(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The next non-empty line that is not a ping.</summary>
    public async Task<string> NextLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
            if (line.Length > 0 && !line.StartsWith(": ping", StringComparison.Ordinal)) return line;
        throw new EndOfStreamException("the stream ended");
    }

    public async Task<JsonObject> NextEventAsync()
    {
        var line = await NextLineAsync();
        Assert.StartsWith("data: ", line);
        return JsonNode.Parse(line["data: ".Length..])!.AsObject();
    }

    public ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}
