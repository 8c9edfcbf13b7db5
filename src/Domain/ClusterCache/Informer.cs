using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// Keeps one <see cref="KindCache"/> equal to the API: hydrate from the snapshot, list (in pages), then watch from
/// the list's resourceVersion with bookmarks; a 410 Gone re-lists, an error backs off exponentially (capped), and a
/// kind the API does not serve is marked absent and retried rarely, so a missing CRD costs one request every few
/// minutes instead of a hot loop. Objects are redacted as they are read (<see cref="CachedObject.From"/>): nothing
/// unredacted leaves this class. Everything read from the API is bounded
/// (<see cref="ClusterCacheOptions.MaxWatchLineBytes"/> and its neighbours): past a limit the kind is refused —
/// emptied, stopped, logged and reported — rather than retried.
/// </summary>
public sealed class Informer(
    ClusterConnection api, KindCache cache, Action<CacheEvent> publish,
    Func<KindCache, CancellationToken, Task>? hydrate,
    Action<KindCache> firstSynced, ClusterCacheOptions options, TimeProvider time, ILogger log,
    Action<KindCache, string>? refused = null,
    Action<KindCache, int, string>? failing = null)
{
    static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(500);

    sealed class GoneException(string message) : Exception(message);
    sealed class AbsentException(string message) : Exception(message);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var kind = cache.Kind;
        if (hydrate is not null) await hydrate(cache, cancellationToken);
        var failures = 0;
        var everSynced = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var resourceVersion = await ListAsync(cancellationToken);
                failures = 0;
                if (!everSynced)
                {
                    everSynced = true;
                    log.LogInformation("Cluster {Cluster}: {Kind} synced ({Count} objects)", cache.Cluster,
                        kind.Name, cache.Count);
                    firstSynced(cache);
                }
                while (!cancellationToken.IsCancellationRequested)
                {
                    var started = time.GetUtcNow();
                    var (next, events) = await WatchAsync(resourceVersion, cancellationToken);
                    resourceVersion = next;
                    // A server that ends watches at once, with nothing to say, must not make us spin.
                    if (events == 0 && time.GetUtcNow() - started < TimeSpan.FromSeconds(1))
                        await Task.Delay(Backoff(++failures), time, cancellationToken);
                    else failures = 0;
                }
            }
            catch (LimitExceededException e)
            {
                // Retrying would read the same oversized answer again:
                // stop this kind until the cluster is registered anew.
                var why = $"stopped: {e.Message}";
                cache.Refuse(why);
                log.LogWarning("Cluster {Cluster}: {Kind} {Why}", cache.Cluster, kind.Name, why);
                refused?.Invoke(cache, e.Message);
                return;
            }
            catch (GoneException e)
            {
                log.LogInformation("Cluster {Cluster}: {Kind} watch expired ({Why}); listing again", cache.Cluster,
                    kind.Name, e.Message);
            }
            catch (AbsentException e)
            {
                cache.State = InformerState.Absent;
                cache.LastError = e.Message;
                failing?.Invoke(cache, ++failures, e.Message);
                log.LogInformation("Cluster {Cluster}: {Kind} is not served ({Why}); asking again in {Retry}",
                    cache.Cluster, kind.Name, e.Message, options.AbsentKindRetry);
                await Task.Delay(options.AbsentKindRetry, time, cancellationToken)
                    .ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                failures++;
                cache.State = InformerState.Failing;
                cache.LastError = Describe(e);
                failing?.Invoke(cache, failures, cache.LastError);
                var delay = Backoff(failures);
                if (failures is 1 or 5 || failures % 20 == 0)
                    log.LogWarning(
                        "Cluster {Cluster}: {Kind} list/watch failed {Failures} time(s) ({Why}); retrying in {Delay}",
                        cache.Cluster, kind.Name, failures, cache.LastError, delay);
                await Task.Delay(delay, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            finally
            {
                cache.MarkLive(false, time.GetUtcNow());
            }
        }
    }

    /// <summary>0.5 s doubling to the cap, with up to 20 % jitter
    /// so a cluster's informers do not retry in step.</summary>
    TimeSpan Backoff(int failures)
    {
        var seconds = Math.Min(options.MaxBackoff.TotalSeconds,
            FirstBackoff.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 16)));
        return TimeSpan.FromSeconds(seconds * (0.8 + Random.Shared.NextDouble() * 0.2));
    }

    async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var listed = new Dictionary<string, CachedObject>(StringComparer.Ordinal);
        string? next = null, resourceVersion = null;
        do
        {
            var query = $"{cache.Kind.CollectionPath}?limit={options.ListPageSize}" +
                (next is null ? "" : $"&continue={Uri.EscapeDataString(next)}");
            using var response = await api.GetAsync(query, cancellationToken);
            await ThrowUnlessOkAsync(response, cancellationToken);
            await using var body = new LimitedReadStream(await response.Content.ReadAsStreamAsync(cancellationToken),
                options.MaxListPageBytes,
                "a list page (CATALYST_K8SCACHE_MAX_LIST_PAGE_BYTES)");
            using var page = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            var root = page.RootElement;
            var kindName = root.TryGetProperty("kind", out var k) && k.GetString() is { } listKind
                && listKind.EndsWith("List", StringComparison.Ordinal) ? listKind[..^4] : null;
            if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
                foreach (var item in items.EnumerateArray())
                    if (CachedObject.From(item, cache.Kind, kindName) is { } cached)
                    {
                        listed[cached.Key] = cached;
                        if (listed.Count > options.MaxObjectsPerKind) throw TooMany();
                    }
            var metadata = root.TryGetProperty("metadata", out var m) ? m : default;
            resourceVersion ??= Text(metadata, "resourceVersion");
            next = Text(metadata, "continue") is { Length: > 0 } c ? c : null;
        } while (next is not null);

        foreach (var (type, item) in cache.Replace(listed, time.GetUtcNow()))
            publish(new CacheEvent(cache.Cluster, cache.Kind.Name, type, item, time.GetUtcNow()));
        cache.ResourceVersion = resourceVersion ?? "";
        return cache.ResourceVersion;
    }

    async Task<(string ResourceVersion, int Events)> WatchAsync(string resourceVersion,
        CancellationToken cancellationToken)
    {
        // The server ends the watch after timeoutSeconds; varied per
        // watch so a cluster's informers do not reconnect in step.
        var timeoutSeconds = 300 + Random.Shared.Next(300);
        using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        watchdog.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds + 30)); // a half-open connection never ends by itself
        var events = 0;
        try
        {
            var query =
                $"{cache.Kind.CollectionPath}?watch=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}" +
                $"&allowWatchBookmarks=true&timeoutSeconds={timeoutSeconds}";
            using var response = await api.GetAsync(query, watchdog.Token);
            await ThrowUnlessOkAsync(response, watchdog.Token);
            await using var body = await response.Content.ReadAsStreamAsync(watchdog.Token);
            // Our own line reader, not StreamReader: a tenant's server can send
            // one endless line, and it must not become one endless string.
            var reader = new BoundedLineReader(body, options.MaxWatchLineBytes);
            cache.MarkLive(true, time.GetUtcNow());
            try
            {
                while (await reader.ReadLineAsync(watchdog.Token) is { } line)
                {
                    if (line.IsEmpty) continue;
                    resourceVersion = Apply(line, resourceVersion);
                    events++;
                }
            }
            catch (Exception e)
                when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                // The stream broke mid-way (a reset connection, a restarted server): watch again from the last version
                // applied, as client-go's reflector does, so the server replays what was lost in transit; only 410 Gone
                // lists again.
                log.LogDebug(
                    "Cluster {Cluster}: {Kind} watch broke after {Events} event(s) ({Why}); " +
                    "resuming at {ResourceVersion}",
                    cache.Cluster, cache.Kind.Name, events, e.Message, resourceVersion);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The watchdog: start a new watch from where we are.
        }
        finally
        {
            cache.MarkLive(false, time.GetUtcNow());
        }
        return (resourceVersion, events);
    }

    LimitExceededException TooMany() =>
        new($"more than {options.MaxObjectsPerKind} objects of one kind (CATALYST_K8SCACHE_MAX_OBJECTS_PER_KIND)");

    string Apply(ReadOnlyMemory<byte> line, string resourceVersion)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var type = Text(root, "type");
        if (!root.TryGetProperty("object", out var item)) return resourceVersion;
        var now = time.GetUtcNow();
        switch (type)
        {
            case "ERROR":
                var code = item.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
                // The tenant's API server writes this text, up to a watch line's limit: only its start reaches the log.
                var message = Text(item, "message") is { } said ? said[..Math.Min(said.Length, 256)] : "watch error";
                if (code == (int)HttpStatusCode.Gone) throw new GoneException(message);
                throw new InvalidOperationException($"watch error {code}: {message}");
            case "BOOKMARK":
                cache.Touch(now);
                return Text(item.TryGetProperty("metadata", out var bm) ? bm : default, "resourceVersion")
                    ?? resourceVersion;
            case CacheEvent.Added or CacheEvent.Modified or CacheEvent.Deleted:
                if (CachedObject.From(item, cache.Kind, Text(item, "kind")) is not { } cached) return resourceVersion;
                var changed = type == CacheEvent.Deleted ? cache.Remove(cached.Key) : cache.Upsert(cached) is not null;
                if (cache.Count > options.MaxObjectsPerKind) throw TooMany();
                cache.Touch(now);
                if (changed) publish(new CacheEvent(cache.Cluster, cache.Kind.Name, type, cached, now));
                return cached.ResourceVersion.Length > 0 ? cached.ResourceVersion : resourceVersion;
            default:
                return resourceVersion;
        }
    }

    async Task ThrowUnlessOkAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var status = (int)response.StatusCode;
        // Only the start of an error body is read: it is quoted in a log line, and the rest may be endless.
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var text = await LimitedReadStream.PrefixAsync(body, options.MaxErrorBodyBytes, cancellationToken);
        var why = $"the API answered {status}: {(text.Length > 200 ? text[..200] : text)}";
        throw response.StatusCode switch
        {
            HttpStatusCode.Gone => new GoneException(why),
            HttpStatusCode.NotFound => new AbsentException(why),
            _ => new HttpRequestException(why, null, response.StatusCode),
        };
    }

    static string Describe(Exception e) =>
        e is JsonException ? $"unreadable answer: {e.Message.Split('\n')[0]}" : e.Message.Split('\n')[0];

    static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
