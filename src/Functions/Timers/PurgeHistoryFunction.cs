using Catalyst.Domain.Configuration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Timers;

/// <summary>
/// Deletes the Durable history of finished orchestrations older than <c>CATALYST_HISTORY_RETENTION</c> (default
/// 30 days). The engine keeps history forever otherwise; deployment records keep the story users read.
/// Safe to run on every replica at once: purging an already purged instance is a no-op.
/// </summary>
public sealed class PurgeHistoryFunction(HistorySettings settings, ILogger<PurgeHistoryFunction> log)
{
    [Function(nameof(PurgeHistory))]
    public async Task PurgeHistory([TimerTrigger("0 17 3 * * *")] TimerInfo timer,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var retention = settings.Retention;
        var filter = new PurgeInstancesFilter(
            CreatedTo: DateTimeOffset.UtcNow - retention,
            Statuses: [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed,
                OrchestrationRuntimeStatus.Terminated]);
        var result = await client.PurgeAllInstancesAsync(filter, cancellationToken);
        log.LogInformation("Purged the history of {Count} finished orchestrations older than {Retention}",
            result.PurgedInstanceCount, retention);
    }
}

/// <summary>How long finished orchestrations keep their Durable history
/// (<c>CATALYST_HISTORY_RETENTION</c>, default 30 days).</summary>
public sealed record HistorySettings(TimeSpan Retention)
{
    public static HistorySettings From(Func<string, string?> read) =>
        new(Settings.Duration(read, "CATALYST_HISTORY_RETENTION", TimeSpan.FromDays(30)));
}
