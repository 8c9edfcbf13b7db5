using Catalyst.Functions.Http;

namespace Catalyst.Functions.Hosting;

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
