using Catalyst.Domain.Configuration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Timers;

/// <summary>
/// Deletes the Durable history of finished orchestrations older than <c>CATALYST_HISTORY_RETENTION</c> (default
/// 30 days). The engine keeps history forever otherwise; deployment records keep the story users read.
/// Safe to run on every replica at once: purging an already purged instance is a no-op.
/// </summary>
public sealed class PurgeHistoryFunction(IConfiguration configuration, ILogger<PurgeHistoryFunction> log)
{
    [Function(nameof(PurgeHistory))]
    public async Task PurgeHistory([TimerTrigger("0 17 3 * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var retention = Settings.Duration(k => configuration[k], "CATALYST_HISTORY_RETENTION", TimeSpan.FromDays(30));
        var filter = new PurgeInstancesFilter(
            CreatedTo: DateTimeOffset.UtcNow - retention,
            Statuses: [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated]);
        var result = await client.PurgeAllInstancesAsync(filter, cancellationToken);
        log.LogInformation("Purged the history of {Count} finished orchestrations older than {Retention}", result.PurgedInstanceCount, retention);
    }
}
