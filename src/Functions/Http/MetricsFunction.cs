using Catalyst.Domain.Metrics;
using Catalyst.Domain.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Http;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format (the original mounted promhttp there, reference A.1). Outside
/// <c>/api/v1</c>, so outside the session gate: it carries counts
/// and durations only (see CatalystMetrics), no tenant data.
/// </summary>
public sealed class MetricsFunction(DeploymentStatusGauge deployments)
{
    [Function(nameof(Metrics))]
    public async Task<IResult> Metrics(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "metrics")] HttpRequest request)
    {
        await deployments.RefreshAsync(request.HttpContext.RequestAborted);
        using var text = new MemoryStream();
        await CatalystMetrics.Registry.CollectAndExportAsTextAsync(text, request.HttpContext.RequestAborted);
        return Results.Bytes(text.ToArray(), "text/plain; version=0.0.4; charset=utf-8");
    }
}

/// <summary>
/// The deployments-by-status gauge, computed from the store's listing when scraped. Every replica answers for the whole
/// store, and a listing reads every record, so one listing serves all scrapes within <see cref="MaxAge"/>.
/// </summary>
public sealed class DeploymentStatusGauge(DeploymentStore store, TimeProvider time, ILogger<DeploymentStatusGauge> log)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    readonly SemaphoreSlim gate = new(1, 1);
    DateTimeOffset refreshedAt = DateTimeOffset.MinValue;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - refreshedAt < MaxAge) return;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (time.GetUtcNow() - refreshedAt < MaxAge) return;
            var (records, _) = await store.ListAsync(0, int.MaxValue, cancellationToken: cancellationToken);
            CatalystMetrics.SetDeployments(records.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count()));
            refreshedAt = time.GetUtcNow();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Storage not answering must not cost the scrape its other metrics: the gauge keeps its last counts.
            log.LogWarning("Metrics: deployments could not be listed ({Error}); the gauge keeps its last counts",
                e.Message);
            refreshedAt = time.GetUtcNow();
        }
        finally
        {
            gate.Release();
        }
    }
}
