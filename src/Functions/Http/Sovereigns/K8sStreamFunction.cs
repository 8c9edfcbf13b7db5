using Catalyst.Domain.Auth;
using Catalyst.Domain.ClusterCache;
using Catalyst.Domain.Streams;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Catalyst.Functions.Http.Sovereigns;

/// <summary>
/// <c>GET /api/v1/sovereigns/{id}/k8s/stream?kinds=a,b&amp;initialState=1</c> (reference D.9): server-sent events of a
/// cluster's changes. The subscription exists before the initial state is read, so nothing falls between the two
/// (an object may then arrive twice, which a client keyed on ns/name absorbs). In session mode each event is SAR-gated
/// for the session's user, as the list is (<see cref="CacheAccess"/>). A comment ping every 15 s keeps proxies from closing an idle stream.
/// Streams are limited per client address and per replica (<see cref="StreamGate"/>), and per cluster (<see cref="SovereignCache.TrySubscribe"/>).
/// </summary>
public sealed class K8sStreamFunction(SovereignCache cache, AuthSettings auth, TimeProvider time, StreamGate streams)
{
    static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    [Function(nameof(StreamK8sEvents))]
    public async Task<IResult> StreamK8sEvents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/sovereigns/{id}/k8s/stream")] HttpRequest request, string id)
    {
        var access = K8sFunctions.Access(request, auth, cache);
        if (access is CacheAccess.Refused refused) return K8sFunctions.Refuse(refused);
        var kindsParam = request.Query["kinds"].ToString();
        var kinds = new List<string>();
        foreach (var name in kindsParam.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (cache.Kinds.Find(name) is not { } spec)
                return Results.Json(new { error = "unknown kind", kind = name, availableKinds = cache.Kinds.Names }, statusCode: StatusCodes.Status400BadRequest);
            kinds.Add(spec.Name);
        }
        if (kinds.Count == 0) kinds.AddRange(cache.Kinds.Names);
        if (cache.Resolve(id) is not { } cluster) return K8sFunctions.UnknownCluster(id);

        var ct = request.HttpContext.RequestAborted;
        var user = (access as CacheAccess.Reviewed)?.User;
        using var slot = streams.TryEnter(request.HttpContext.Connection.RemoteIpAddress, out var refusal);
        if (slot is null) return HttpErrors.TooManyStreams(request.HttpContext, streams.Limits, refusal!);
        using var subscription = cache.TrySubscribe(cluster, kinds.ToHashSet(StringComparer.Ordinal));
        if (subscription is null)
            return HttpErrors.TooManyStreams(request.HttpContext, streams.Limits, $"this Sovereign has {cache.Options.MaxSubscribersPerCluster} streams open, its limit; retry later");
        var response = request.HttpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers.Connection = "keep-alive";
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            await response.Body.WriteAsync(CacheJson.Comment($"connected cluster={cluster} kinds={kindsParam}"), ct);
            await response.Body.FlushAsync(ct);
            if (request.Query["initialState"].ToString() is "1" or "true")
            {
                var now = time.GetUtcNow();
                foreach (var kind in kinds)
                    if (cache.Cache(cluster, kind) is { } kindCache)
                        foreach (var item in kindCache.Items.OrderBy(i => i.Key, StringComparer.Ordinal))
                            await SendAsync(new CacheEvent(cluster, kind, CacheEvent.Added, item, now));
                await response.Body.FlushAsync(ct);
            }

            var nextPing = time.GetUtcNow() + Heartbeat;
            Task<bool>? ready = null;
            while (!ct.IsCancellationRequested)
            {
                ready ??= subscription.Events.WaitToReadAsync(ct).AsTask();
                var wait = nextPing - time.GetUtcNow();
                if (wait > TimeSpan.Zero) await Task.WhenAny(ready, Task.Delay(wait, time, ct));
                if (ready.IsCompleted)
                {
                    if (!await ready) break; // the cluster was removed
                    ready = null;
                    while (subscription.Events.TryRead(out var e)) await SendAsync(e);
                }
                if (time.GetUtcNow() >= nextPing)
                {
                    await response.Body.WriteAsync(CacheJson.Comment($"ping {time.GetUtcNow().ToUnixTimeSeconds()}"), ct);
                    nextPing = time.GetUtcNow() + Heartbeat;
                }
                await response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
        return Results.Empty;

        async Task SendAsync(CacheEvent e)
        {
            if (user is not null && !await cache.Sar.AllowedAsync(user, cluster, e.Kind, e.Object.Namespace, "watch", ct)) return;
            await response.Body.WriteAsync(CacheJson.EventFrame(e), ct);
        }
    }
}
