using Catalyst.Functions.Hosting;

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
        var results = await Task.WhenAll(checks.Select(async c => await c.ProblemAsync(cancellationToken) is { } p ? $"{c.Name}: {p}" : null));
        return results.OfType<string>().ToList();
    }
}

/// <summary>Storage answers. Cached for a few seconds so a probe every 5 s costs one storage call at most.</summary>
public sealed class StorageReadinessCheck(StorageConnection storage, TimeProvider? time = null) : IReadinessCheck
{
    static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    readonly TimeProvider clock = time ?? TimeProvider.System;
    readonly SemaphoreSlim gate = new(1, 1);
    (DateTimeOffset At, string? Problem)? last;

    public string Name => "storage";

    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (last is { } cached && clock.GetUtcNow() - cached.At < CacheFor) return cached.Problem;
            string? problem = null;
            try
            {
                await storage.ProbeAsync(TimeSpan.FromSeconds(2), cancellationToken);
            }
            catch (Catalyst.Domain.Configuration.SettingException e)
            {
                problem = e.Message;
            }
            last = (clock.GetUtcNow(), problem);
            return problem;
        }
        finally
        {
            gate.Release();
        }
    }
}
