using System.Text;
using Microsoft.AspNetCore.Http;

namespace Catalyst.Functions.Http.Streams;

/// <summary>
/// One server-sent event response, the one writer both streams (<c>/logs</c>, <c>/k8s/stream</c>) use (issues 19, 20):
/// the headers, the framing, the comment heartbeat that keeps proxies from closing an idle stream, and the end before
/// the Functions host's <c>functionTimeout</c> (<see cref="SseSettings"/>). <see cref="Ending"/> is cancelled when the
/// client goes away or the stream has lasted its time; <see cref="ClientGone"/> tells the two apart.
/// </summary>
public sealed class SseResponse : IDisposable
{
    readonly HttpResponse response;
    readonly SseSettings settings;
    readonly TimeProvider time;
    readonly CancellationToken aborted;
    readonly CancellationTokenSource deadline;
    readonly CancellationTokenSource ending;
    DateTimeOffset nextBeat;

    SseResponse(HttpContext context, SseSettings settings, TimeProvider time)
    {
        response = context.Response;
        this.settings = settings;
        this.time = time;
        aborted = context.RequestAborted;
        deadline = new CancellationTokenSource(settings.MaxDuration, time);
        ending = CancellationTokenSource.CreateLinkedTokenSource(aborted, deadline.Token);
        nextBeat = time.GetUtcNow() + settings.Heartbeat;
    }

    /// <summary>Sets the event-stream headers; nothing is written yet.</summary>
    public static SseResponse Start(HttpContext context, SseSettings settings, TimeProvider time)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers.Connection = "keep-alive";
        response.Headers["X-Accel-Buffering"] = "no";
        return new SseResponse(context, settings, time);
    }

    /// <summary>Cancelled when the client left or the stream reached its maximum duration.</summary>
    public CancellationToken Ending => ending.Token;

    public bool ClientGone => aborted.IsCancellationRequested;

    /// <summary>How long until the next heartbeat is due (zero when it is).</summary>
    public TimeSpan UntilHeartbeat =>
        nextBeat - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero;

    /// <summary>An event: <c>id:</c> when given (the client's <c>Last-Event-ID</c> on reconnect), <c>event:</c> when
    /// named, and the data.</summary>
    public Task EventAsync(string? id, string? name, string data)
    {
        var frame = new StringBuilder();
        if (id is not null) frame.Append("id: ").Append(id).Append('\n');
        if (name is not null) frame.Append("event: ").Append(name).Append('\n');
        foreach (var line in data.Split('\n')) frame.Append("data: ").Append(line).Append('\n');
        frame.Append('\n');
        return WriteAsync(frame.ToString());
    }

    /// <summary>A comment line (clients ignore it).</summary>
    public Task CommentAsync(string text) => WriteAsync($": {text}\n\n");

    /// <summary>Frames built elsewhere (the cluster cache's pre-serialised event frames).</summary>
    public async Task WriteFrameAsync(ReadOnlyMemory<byte> frame) => await response.Body.WriteAsync(frame, aborted);

    public Task WriteAsync(string frames) => response.WriteAsync(frames, aborted);

    /// <summary>Writes the heartbeat comment when it is due.</summary>
    public async Task HeartbeatIfDueAsync()
    {
        if (time.GetUtcNow() < nextBeat) return;
        await CommentAsync($"ping {time.GetUtcNow().ToUnixTimeSeconds()}");
        nextBeat = time.GetUtcNow() + settings.Heartbeat;
    }

    public Task FlushAsync() => response.Body.FlushAsync(aborted);

    /// <summary>
    /// Ends a stream that reached its maximum duration: the reconnect delay, then a comment saying why. The client
    /// reconnects (EventSource does on its own) and resumes after its last event id.
    /// </summary>
    public async Task EndForReconnectAsync()
    {
        if (ClientGone) return;
        await WriteAsync(
            $"retry: {(long)settings.ReconnectAfter.TotalMilliseconds}\n: " +
            $"stream ends after {settings.MaxDuration} ({SseSettings.MaxDurationSetting}); reconnect to resume\n\n");
        await FlushAsync();
    }

    public void Dispose()
    {
        ending.Dispose();
        deadline.Dispose();
    }
}
