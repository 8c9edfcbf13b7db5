using Microsoft.DurableTask;

namespace Catalyst.Functions.Orchestrations;

/// <summary>
/// Applies go where there is room (issue 16). A tofu activity that finds every tofu slot of the replica that took it in
/// use answers "no slot here" at once instead of waiting inside the activity, where it held its queue message and left
/// a replica KEDA added with nothing to take. The workflow then waits on a durable timer — 2 s doubling to 30 s, plus a
/// little jitter so many waiting applies do not come back in step — and asks again; whichever replica has a free slot
/// takes it. These waits are not failures: the call's own retry policy (transient tofu failures) starts afresh with
/// each ask.
/// </summary>
public static class TofuSlots
{
    public static readonly TimeSpan FirstWait = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Calls <paramref name="activity"/> until its answer is not <paramref name="noSlot"/>;
    /// <paramref name="onFirstWait"/> runs once, before the first wait (the timeline says "waiting for a tofu slot"
    /// once, not per ask).
    /// </summary>
    public static async Task<T> CallAsync<T>(TaskOrchestrationContext context, string activity, object input,
        TaskOptions options,
        Func<T, bool> noSlot, Func<Task> onFirstWait)
    {
        for (var ask = 0; ; ask++)
        {
            var answer = await context.CallActivityAsync<T>(activity, input, options);
            if (!noSlot(answer)) return answer;
            if (ask == 0) await onFirstWait();
            await context.CreateTimer(context.CurrentUtcDateTime + Wait(context.InstanceId, ask),
                CancellationToken.None);
        }
    }

    /// <summary>
    /// The wait after the <paramref name="ask"/>-th (0-based) "no slot" answer: 2 s, 4 s, 8 s, 16 s, then 30 s, each
    /// plus up to a quarter more. The jitter comes from the instance id and the ask, never from a random source: an
    /// orchestrator must compute the same timer on every replay.
    /// </summary>
    public static TimeSpan Wait(string instanceId, int ask)
    {
        var doubled = FirstWait.TotalSeconds * Math.Pow(2, Math.Min(ask, 16));
        var wait = Math.Min(doubled, LongestWait.TotalSeconds);
        return TimeSpan.FromSeconds(wait * (1 + 0.25 * Fraction(instanceId, ask)));
    }

    // FNV-1a over the id's characters and the ask: stable across processes and runtimes (string.GetHashCode is not).
    static double Fraction(string instanceId, int ask)
    {
        var hash = 2166136261u;
        foreach (var c in instanceId) hash = (hash ^ c) * 16777619u;
        hash = (hash ^ (uint)ask) * 16777619u;
        hash ^= hash >> 15;
        return (hash % 1000) / 1000.0;
    }
}
