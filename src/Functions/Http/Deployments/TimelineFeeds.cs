using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Domain.Streams;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Http.Deployments;

/// <summary>What one poll of a deployment saw: its record, then its retained events (read after the record, so every
/// event written before a terminal status is in them).</summary>
public sealed record TimelinePoll(DeploymentRecord? Record, IReadOnlyList<DeploymentEvent> Events);

/// <summary>
/// The <c>/logs</c> streams' storage reads: one poll every 500 ms per deployment on this replica, shared by all of
/// its streams (<see cref="SharedPoller{T}"/>), instead of one per stream.
/// </summary>
public sealed class TimelineFeeds(DeploymentStore store, EventLog events, TimeProvider time, ILogger<TimelineFeeds> log)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    public SharedPoller<TimelinePoll> Poller { get; } = new(async (id, ct) =>
    {
        var record = await store.GetAsync(id, ct);
        return new TimelinePoll(record, await events.ReadAsync(id, cancellationToken: ct));
    }, Interval, time, log);
}
