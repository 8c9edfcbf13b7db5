using System.Text.Json;
using Catalyst.Domain.Auth;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Domain.Streams;
using Catalyst.Functions.Http.Streams;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Catalyst.Functions.Http.Deployments;

/// <summary>
/// The timeline: a snapshot (reference A.11) and a live SSE stream (A.10). Both read storage, so any replica can
/// serve any deployment, and a client that reconnects with <c>Last-Event-ID</c> gets only what it missed. Streams are
/// limited per client address and per replica (<see cref="StreamGate"/>), and share one storage poll per deployment.
/// A stream lasts at most <see cref="SseSettings.MaxDuration"/>
/// and then asks the client to reconnect, which resumes it.
/// </summary>
public sealed class DeploymentStreamFunctions(DeploymentStore store, EventLog events, TimeProvider time,
    SignerSource signer, TimelineFeeds feeds, StreamGate streams, SseSettings sse)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition =
        System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    [Function(nameof(GetDeploymentEvents))]
    public async Task<IResult> GetDeploymentEvents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get",
            Route = "api/v1/deployments/{id}/events")] HttpRequest request, string id)
    {
        var ct = request.HttpContext.RequestAborted;
        if (await store.GetAsync(id, ct) is not { } record) return HttpErrors.DeploymentNotFound(id);
        var log = await events.ReadAsync(id, cancellationToken: ct);
        return Results.Json(new { state = DeploymentView.From(record, log.Count), events = log.Select(Wire),
            done = DeploymentStatuses.IsDone(record.Status) }, Json);
    }

    [Function(nameof(StreamDeploymentLogs))]
    public async Task<IResult> StreamDeploymentLogs(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/deployments/{id}/logs")] HttpRequest request,
            string id)
    {
        var ct = request.HttpContext.RequestAborted;
        if (await store.GetAsync(id, ct) is null) return HttpErrors.DeploymentNotFound(id);
        using var slot = streams.TryEnter(request.HttpContext.Connection.RemoteIpAddress, out var refusal);
        if (slot is null) return HttpErrors.TooManyStreams(request.HttpContext, streams.Limits, refusal!);
        using var stream = SseResponse.Start(request.HttpContext, sse, time);
        var after = long.TryParse(request.Headers["Last-Event-ID"].FirstOrDefault() ?? request.Query["lastEventId"],
            out var last) ? last : -1;
        // Storage is read by the deployment's one shared poll; each stream only writes what it has not sent yet.
        using var feed = feeds.Poller.Join(id);
        long seen = 0;
        try
        {
            while (true)
            {
                var polled = await feed.NextAsync(seen, stream.Ending);
                seen = polled.Version;
                var (record, log) = polled.Value;
                foreach (var e in log)
                {
                    if (e.Seq <= after) continue;
                    await stream.EventAsync(e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
                        JsonSerializer.Serialize(Wire(e), Json));
                    if (HandoverMint.StreamFrame(e, id) is { Length: > 0 } handover) await stream.WriteAsync(handover);
                    after = e.Seq;
                }
                // A just-ready deployment's handover event follows the ready step: hold "done" briefly for it
                // (HandoverMint.StreamWait). The poll read the record before the events, so the final events, written
                // before the terminal status, are sent above.
                if (record is null
                    || (DeploymentStatuses.IsDone(record.Status)
                        && !HandoverMint.StreamShouldWait(record, signer.Signer is not null, log, time.GetUtcNow())))
                {
                    var state = record is null ? null : DeploymentView.From(record, log.Count);
                    await stream.EventAsync(null, "done", JsonSerializer.Serialize(state, Json));
                    break;
                }
                await stream.HeartbeatIfDueAsync();
                await stream.FlushAsync();
            }
        }
        catch (OperationCanceledException) when (stream.Ending.IsCancellationRequested)
        {
            // The client went away, or the stream lasted its time: the client reconnects with Last-Event-ID.
            await stream.EndForReconnectAsync();
        }
        return Results.Empty;
    }

    /// <summary>The original's event shape; the idempotency key stays internal.</summary>
    static object Wire(DeploymentEvent e) => new
    {
        time = e.Time.UtcDateTime,
        e.Phase,
        e.Level,
        e.Message,
        e.Component,
        e.State,
        e.Seq,
    };
}
