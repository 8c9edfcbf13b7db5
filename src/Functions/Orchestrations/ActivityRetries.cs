using Microsoft.DurableTask;

namespace Catalyst.Functions.Orchestrations;

/// <summary>
/// The retry policy of every activity call (tofu's apply keeps its own, longer one): a transient storage or network
/// error in one step must not fail the workflow and strand its record. Every activity is safe to run again — the
/// record and timeline writes are keyed by run and step, the reads change nothing, DNS adds only what is missing and
/// tofu converges on its state — so a retry after a failure that happened after the write only repeats the write.
/// Five attempts, 2 s doubling to at most 30 s: about half a minute of waiting before the step counts as failed.
/// </summary>
public static class ActivityRetries
{
    public static readonly RetryPolicy Policy = new(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(2),
        backoffCoefficient: 2,
        maxRetryInterval: TimeSpan.FromSeconds(30));

    public static readonly TaskOptions Default = TaskOptions.FromRetryPolicy(Policy);
}
