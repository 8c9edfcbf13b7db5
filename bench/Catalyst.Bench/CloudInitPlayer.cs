using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Catalyst.Bench;

/// <summary>
/// The new clusters' cloud-init, played by the harness: the fake tofu leaves each kubeconfig PUT in a directory
/// (FAKE_TOFU_POSTBACK_DEFER_DIR) and this sends it when the suite says so, retrying while the host is down, as
/// cloud-init's curl --retry does. <see cref="Sent"/> says when each went out (for postback → watch latency).
/// The PUT goes to <paramref name="catalyst"/> as it is now: a restarted bench host listens on a new port, where a
/// real Catalyst keeps its public URL.
/// </summary>
public sealed class CloudInitPlayer(string directory, Func<Uri> catalyst)
{
    public ConcurrentDictionary<string, DateTime> Sent { get; } = new();

    /// <param name="due">(deployment id, when tofu wrote the postback) → send it now?</param>
    public async Task RunAsync(Func<string, DateTime, Task<bool>> due, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        while (!ct.IsCancellationRequested)
        {
            foreach (var file in Directory.GetFiles(directory, "*.json"))
            {
                var id = Path.GetFileNameWithoutExtension(file);
                if (Sent.ContainsKey(id) || !await due(id, File.GetLastWriteTimeUtc(file))) continue;
                var postback = JsonNode.Parse(await File.ReadAllTextAsync(file, CancellationToken.None))!.AsObject();
                Uri target;
                try { target = new Uri(catalyst(), new Uri(postback["url"]!.GetValue<string>()).PathAndQuery); }
                catch (InvalidOperationException) { continue; } // the host is starting and has no port yet
                using var request = new HttpRequestMessage(HttpMethod.Put, target)
                    { Content = new ByteArrayContent(Convert.FromBase64String(postback["body"]!.GetValue<string>())) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-yaml");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
                    postback["bearer"]!.GetValue<string>());
                try
                {
                    var at = DateTime.UtcNow;
                    using var response = await http.SendAsync(request, CancellationToken.None);
                    if ((int)response.StatusCode < 500) Sent[id] = at;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // The host is down: try again on the next round.
                }
            }
            try { await Task.Delay(200, ct); } catch (OperationCanceledException) { }
        }
    }
}
