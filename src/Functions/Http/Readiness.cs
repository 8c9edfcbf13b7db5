namespace Catalyst.Functions.Http;

/// <summary>One reason the app cannot serve right now, or null when it can.</summary>
public interface IReadinessCheck
{
    string Name { get; }
    Task<string?> ProblemAsync(CancellationToken cancellationToken);
}

/// <summary>
/// What /readyz asks. Readiness may take the pod out of the Service; it never restarts it — that is
/// /healthz's job and it checks nothing (seed, issue #530: a liveness probe that waited on a Sovereign's
/// kubeconfig killed the very pod the kubeconfig was being sent to).
/// </summary>
public sealed class Readiness(IEnumerable<IReadinessCheck> checks)
{
    public async Task<IReadOnlyList<string>> ProblemsAsync(CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(checks.Select(async c => await c.ProblemAsync(cancellationToken) is { } p
            ? $"{c.Name}: {p}" : null));
        return results.OfType<string>().ToList();
    }
}
