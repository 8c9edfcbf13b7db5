using System.Text.Json;
using Catalyst.Domain.Auth;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Catalyst.Functions.Http.Deployments;

/// <summary>
/// The timeline: a snapshot (reference A.11) and a live SSE stream (A.10). Both read storage, so any replica can
/// serve any deployment, and a client that reconnects with <c>Last-Event-ID</c> gets only what it missed.
/// </summary>
public sealed class DeploymentStreamFunctions(DeploymentStore store, EventLog events, TimeProvider time, SignerSource signer)
{
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    [Function(nameof(GetDeploymentEvents))]
    public async Task<IResult> GetDeploymentEvents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/deployments/{id}/events")] HttpRequest request, string id)
    {
        var ct = request.HttpContext.RequestAborted;
        if (await store.GetAsync(id, ct) is not { } record) return HttpErrors.DeploymentNotFound(id);
        var log = await events.ReadAsync(id, cancellationToken: ct);
        return Results.Json(new { state = DeploymentView.From(record, log.Count), events = log.Select(Wire), done = DeploymentStatuses.IsDone(record.Status) }, Json);
    }

    [Function(nameof(StreamDeploymentLogs))]
    public async Task<IResult> StreamDeploymentLogs(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/deployments/{id}/logs")] HttpRequest request, string id)
    {
        var ct = request.HttpContext.RequestAborted;
        if (await store.GetAsync(id, ct) is null) return HttpErrors.DeploymentNotFound(id);
        var response = request.HttpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers.Connection = "keep-alive";
        response.Headers["X-Accel-Buffering"] = "no";
        var after = long.TryParse(request.Headers["Last-Event-ID"].FirstOrDefault() ?? request.Query["lastEventId"], out var last) ? last : -1;
        var lastBeat = time.GetUtcNow();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                foreach (var e in await events.ReadAsync(id, after, ct))
                {
                    await response.WriteAsync($"id: {e.Seq}\ndata: {JsonSerializer.Serialize(Wire(e), Json)}\n\n{HandoverMint.StreamFrame(e, id)}", ct);
                    after = e.Seq;
                }
                var record = await store.GetAsync(id, ct);
                // A just-ready deployment's handover event follows the ready step: hold "done" briefly for it (HandoverMint.StreamWait).
                if (record is null || (DeploymentStatuses.IsDone(record.Status)
                                       && !HandoverMint.StreamShouldWait(record, signer.Signer is not null, await events.ReadAsync(id, cancellationToken: ct), time.GetUtcNow())))
                {
                    // Read once more: the final events are written before the terminal status.
                    foreach (var e in await events.ReadAsync(id, after, ct))
                        await response.WriteAsync($"id: {e.Seq}\ndata: {JsonSerializer.Serialize(Wire(e), Json)}\n\n{HandoverMint.StreamFrame(e, id)}", ct);
                    var state = record is null ? null : DeploymentView.From(record, await events.CountAsync(id, ct));
                    await response.WriteAsync($"event: done\ndata: {JsonSerializer.Serialize(state, Json)}\n\n", ct);
                    break;
                }
                if (time.GetUtcNow() - lastBeat >= Heartbeat)
                {
                    await response.WriteAsync($": ping {time.GetUtcNow().ToUnixTimeSeconds()}\n\n", ct);
                    lastBeat = time.GetUtcNow();
                }
                await response.Body.FlushAsync(ct);
                await Task.Delay(Poll, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
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
