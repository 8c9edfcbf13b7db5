namespace Catalyst.Functions.Http.ClusterCache;

/// <summary>
/// /readyz's cluster-cache condition (reference A.3, D.8): ready with no Sovereign registered, or once the primary's
/// pod and deployment informers have synced. /healthz never asks this (seed, issue #530).
/// </summary>
public sealed class ClusterCacheReadinessCheck(Domain.ClusterCache.SovereignCache cache) : IReadinessCheck
{
    public string Name => "cluster-cache";

    public Task<string?> ProblemAsync(CancellationToken cancellationToken) => Task.FromResult(cache.ReadinessProblem());
}
