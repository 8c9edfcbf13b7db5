using Catalyst.Domain.Auth;
using Catalyst.Domain.ClusterCache;
using Catalyst.Domain.Streams;
using Catalyst.Functions.Http.Streams;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Catalyst.Functions.Http.ClusterCache;

/// <summary>
/// <c>GET /api/v1/sovereigns/{id}/k8s/stream?kinds=a,b&amp;initialState=1</c> (reference D.9): server-sent events of a
/// cluster's changes. The subscription exists before the initial state is read, so nothing falls between the two
/// (an object may then arrive twice, which a client keyed on ns/name absorbs). In session mode each event is SAR-gated
/// for the session's user, as the list is (<see cref="CacheAccess"/>). A comment ping every 15 s keeps proxies from
/// closing an idle stream. Streams are limited per client address and per replica (<see cref="StreamGate"/>), and per
/// cluster (<see cref="SovereignCache.TrySubscribe"/>). A stream lasts at most <see cref="SseSettings.MaxDuration"/>,
/// then asks the client to reconnect; its events carry no id (the cache keeps no history), so a client resumes by
/// reconnecting with <c>initialState=1</c> and re-keying on ns/name.
/// </summary>
public sealed class K8sStreamFunction(SovereignCache cache, AuthSettings auth, TimeProvider time, StreamGate streams,
    SseSettings sse)
{

    [Function(nameof(StreamK8sEvents))]
    public async Task<IResult> StreamK8sEvents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get",
            Route = "api/v1/sovereigns/{id}/k8s/stream")] HttpRequest request, string id)
    {
        var access = K8sFunctions.Access(request, auth, cache);
        if (access is CacheAccess.Refused refused) return K8sFunctions.Refuse(refused);
        var kindsParam = request.Query["kinds"].ToString();
        var kinds = new List<string>();
        foreach (var name in kindsParam.Split(',',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (cache.Kinds.Find(name) is not { } spec)
                return Results.Json(new { error = "unknown kind", kind = name, availableKinds = cache.Kinds.Names },
                    statusCode: StatusCodes.Status400BadRequest);
            kinds.Add(spec.Name);
        }
        if (kinds.Count == 0) kinds.AddRange(cache.Kinds.Names);
        if (cache.Resolve(id) is not { } cluster) return K8sFunctions.UnknownCluster(id);

        var user = (access as CacheAccess.Reviewed)?.User;
        using var slot = streams.TryEnter(request.HttpContext.Connection.RemoteIpAddress, out var refusal);
        if (slot is null) return HttpErrors.TooManyStreams(request.HttpContext, streams.Limits, refusal!);
        using var subscription = cache.TrySubscribe(cluster, kinds.ToHashSet(StringComparer.Ordinal));
        if (subscription is null)
            return HttpErrors.TooManyStreams(request.HttpContext, streams.Limits,
                $"this Sovereign has {cache.Options.MaxSubscribersPerCluster} streams open, its limit; retry later");
        using var stream = SseResponse.Start(request.HttpContext, sse, time);
        try
        {
            await stream.CommentAsync($"connected cluster={cluster} kinds={kindsParam}");
            await stream.FlushAsync();
            if (request.Query["initialState"].ToString() is "1" or "true")
            {
                var now = time.GetUtcNow();
                foreach (var kind in kinds)
                    if (cache.Cache(cluster, kind) is { } kindCache)
                        foreach (var item in kindCache.Items.OrderBy(i => i.Key, StringComparer.Ordinal))
                            await SendAsync(new CacheEvent(cluster, kind, CacheEvent.Added, item, now));
                await stream.FlushAsync();
            }

            Task<bool>? ready = null;
            while (true)
            {
                ready ??= subscription.Events.WaitToReadAsync(stream.Ending).AsTask();
                var wait = stream.UntilHeartbeat;
                if (wait > TimeSpan.Zero) await Task.WhenAny(ready, Task.Delay(wait, time, stream.Ending));
                stream.Ending.ThrowIfCancellationRequested();
                if (ready.IsCompleted)
                {
                    if (!await ready) break; // the cluster was removed
                    ready = null;
                    while (subscription.Events.TryRead(out var e)) await SendAsync(e);
                }
                await stream.HeartbeatIfDueAsync();
                await stream.FlushAsync();
            }
        }
        catch (OperationCanceledException) when (stream.Ending.IsCancellationRequested)
        {
            // The client went away, or the stream lasted its time:
            // the client reconnects (with initialState=1 to re-list).
            await stream.EndForReconnectAsync();
        }
        return Results.Empty;

        async Task SendAsync(CacheEvent e)
        {
            if (user is not null
                && !await cache.Sar.AllowedAsync(user, cluster, e.Kind, e.Object.Namespace, "watch", stream.Ending))
                return;
            await stream.WriteFrameAsync(CacheJson.EventFrame(e));
        }
    }
}
