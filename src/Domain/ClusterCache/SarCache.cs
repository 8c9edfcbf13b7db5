using System.Collections.Concurrent;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// SubjectAccessReview answers, cached per (user, cluster, kind, namespace, verb) for a TTL — allowed and denied
/// alike, so a denied user hammering the stream costs the Sovereign one review per TTL (reference D.9). Anything that
/// is not a clear "allowed" — an error, a timeout, an unknown cluster or kind — is a deny: the gate fails closed.
/// At most <c>max</c> answers are kept (<c>CATALYST_K8SCACHE_SAR_CACHE_MAX</c>): when full, expired answers go, and if
/// none has expired all go — a review per user again is cheaper than memory that any number of users can grow.
/// </summary>
public sealed class SarCache(Func<string, string, string, string, string, CancellationToken, Task<bool>> review,
    TimeSpan ttl, TimeProvider? time = null, int max = 10_000)
{
    readonly TimeProvider clock = time ?? TimeProvider.System;
    readonly ConcurrentDictionary<
        (string User, string Cluster, string Kind, string Namespace, string Verb),
        (bool Allowed, DateTimeOffset Until)> answers = new();

    public int Reviews;
    public int Count => answers.Count;

    public async Task<bool> AllowedAsync(string user, string cluster, string kind, string ns, string verb,
        CancellationToken cancellationToken)
    {
        var key = (user, cluster, kind, ns, verb);
        var now = clock.GetUtcNow();
        var hit = answers.TryGetValue(key, out var cached) && cached.Until > now;
        (hit ? Metrics.CatalystMetrics.SarHits : Metrics.CatalystMetrics.SarMisses).WithLabels(cluster, kind).Inc();
        if (hit) return cached.Allowed;
        bool allowed;
        try
        {
            Interlocked.Increment(ref Reviews);
            allowed = await review(user, cluster, kind, ns, verb, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            allowed = false;
        }
        lock (answers)
        {
            if (answers.Count >= max && !answers.ContainsKey(key))
            {
                foreach (var (k, v) in answers)
                    if (v.Until <= now) answers.TryRemove(k, out _);
                if (answers.Count >= max) answers.Clear();
            }
            answers[key] = (allowed, clock.GetUtcNow() + ttl);
        }
        return allowed;
    }
}
