using System.Collections.Concurrent;
using DurableTask.Core;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// The engine as the sidecar's dispatchers see it, with two duties the test sidecar does not have:
/// <list type="bullet">
/// <item>It keeps every activity's work item locked while the activity runs, renewing the queue message's
/// visibility every <paramref name="renewEvery"/>. The sidecar never renews, so an activity that outlived
/// <c>workItemQueueVisibilityTimeout</c> was handed out again and ran twice at once — a minutes-long tofu apply on
/// two replicas (issue 21). A host that dies stops renewing, and its work reappears one timeout later.</item>
/// <item>It drains: once draining, no new work item is handed out, and <see cref="DrainAsync"/> waits until every
/// work item already out has been completed (its result persisted) or abandoned. What is still out when time
/// runs out is left to the engine, which delivers it again after its visibility timeout.</item>
/// </list>
/// </summary>
public sealed class DrainableEngine(IOrchestrationService engine, TimeSpan renewEvery) : IOrchestrationService
{
    /// <summary>A third of the visibility timeout: two renewals may
    /// fail before the work item is handed out again.</summary>
    public static TimeSpan RenewIntervalFor(TimeSpan visibilityTimeout) => visibilityTimeout / 3;

    readonly ConcurrentDictionary<TaskActivityWorkItem, Renewal> renewals = new(ReferenceEqualityComparer.Instance);
    readonly object gate = new();
    TaskCompletionSource? idle;
    int outstanding;
    volatile bool draining;

    public int Outstanding => Volatile.Read(ref outstanding);

    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        Task wait;
        lock (gate)
        {
            draining = true;
            idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (outstanding == 0) idle.TrySetResult();
            wait = idle.Task;
        }
        try
        {
            await wait.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Out of time: the rest is re-delivered by the engine.
        }
    }

    public async Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout,
        CancellationToken cancellationToken)
    {
        if (draining) return await Idle<TaskOrchestrationWorkItem>(receiveTimeout, cancellationToken);
        var item = await engine.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);
        if (item is not null) Enter();
        return item!;
    }

    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout,
        CancellationToken cancellationToken)
    {
        if (draining) return await Idle<TaskActivityWorkItem>(receiveTimeout, cancellationToken);
        var item = await engine.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);
        if (item is not null)
        {
            Enter();
            renewals[item] = Renewal.Start(engine, item, renewEvery);
        }
        return item!;
    }

    /// <summary>How many activity work items this process is keeping locked right now.</summary>
    public int Renewing => renewals.Count;

    public async Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem)
    {
        try { await engine.ReleaseTaskOrchestrationWorkItemAsync(workItem); }
        finally { Leave(); }
    }

    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        try
        {
            await StopRenewingAsync(workItem);
            await engine.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
        }
        finally { Leave(); }
    }

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        try
        {
            await StopRenewingAsync(workItem);
            await engine.AbandonTaskActivityWorkItemAsync(workItem);
        }
        finally { Leave(); }
    }

    // A renewal in flight changes the message's pop receipt: it must end before the delete that completes the item.
    async Task StopRenewingAsync(TaskActivityWorkItem workItem)
    {
        if (renewals.TryRemove(workItem, out var renewal)) await renewal.StopAsync();
    }

    void Enter()
    {
        lock (gate) outstanding++;
    }

    void Leave()
    {
        lock (gate)
        {
            outstanding--;
            if (outstanding == 0 && draining) idle?.TrySetResult();
        }
    }

    static async Task<T> Idle<T>(TimeSpan receiveTimeout, CancellationToken cancellationToken) where T : class
    {
        await Task.Delay(receiveTimeout < TimeSpan.FromSeconds(1) ? receiveTimeout : TimeSpan.FromSeconds(1),
            cancellationToken);
        return null!;
    }

    /// <summary>Whether the sidecar has started the engine (it does when the worker first connects).</summary>
    public bool Started => started;

    volatile bool started;

    public async Task StartAsync()
    {
        await engine.StartAsync();
        started = true;
    }

    // The sidecar stops the engine when its host stops, started or not; stopping one that never started threw a
    // NullReferenceException on a thread-pool thread and aborted the process (exit 134) on an early SIGTERM.
    public Task StopAsync() => started ? engine.StopAsync() : Task.CompletedTask;
    public Task StopAsync(bool isForced) => started ? engine.StopAsync(isForced) : Task.CompletedTask;

    // Everything else goes straight to the engine.
    public Task CreateAsync() => engine.CreateAsync();
    public Task CreateAsync(bool recreateInstanceStore) => engine.CreateAsync(recreateInstanceStore);
    public Task CreateIfNotExistsAsync() => engine.CreateIfNotExistsAsync();
    public Task DeleteAsync() => engine.DeleteAsync();
    public Task DeleteAsync(bool deleteInstanceStore) => engine.DeleteAsync(deleteInstanceStore);
    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        engine.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);
    public int GetDelayInSecondsAfterOnProcessException(Exception exception) =>
        engine.GetDelayInSecondsAfterOnProcessException(exception);
    public int GetDelayInSecondsAfterOnFetchException(Exception exception) =>
        engine.GetDelayInSecondsAfterOnFetchException(exception);
    public int TaskOrchestrationDispatcherCount => engine.TaskOrchestrationDispatcherCount;
    public int MaxConcurrentTaskOrchestrationWorkItems => engine.MaxConcurrentTaskOrchestrationWorkItems;
    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => engine.EventBehaviourForContinueAsNew;
    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) =>
        engine.RenewTaskOrchestrationWorkItemLockAsync(workItem);
    public Task CompleteTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages, IList<TaskMessage> orchestratorMessages, IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage, OrchestrationState orchestrationState) =>
        engine.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages,
            orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);
    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) =>
        engine.AbandonTaskOrchestrationWorkItemAsync(workItem);
    public int TaskActivityDispatcherCount => engine.TaskActivityDispatcherCount;
    public int MaxConcurrentTaskActivityWorkItems => engine.MaxConcurrentTaskActivityWorkItems;
    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) =>
        engine.RenewTaskActivityWorkItemLockAsync(workItem);

    /// <summary>One activity's lock, renewed on a timer until the activity completes or is abandoned.</summary>
    sealed class Renewal
    {
        readonly CancellationTokenSource stop = new();
        Task loop = Task.CompletedTask;

        public static Renewal Start(IOrchestrationService engine, TaskActivityWorkItem item, TimeSpan every)
        {
            var renewal = new Renewal();
            renewal.loop = renewal.RunAsync(engine, item, every);
            return renewal;
        }

        async Task RunAsync(IOrchestrationService engine, TaskActivityWorkItem item, TimeSpan every)
        {
            using var timer = new PeriodicTimer(every);
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    try
                    {
                        await engine.RenewTaskActivityWorkItemLockAsync(item);
                    }
                    catch (Exception) when (!stop.IsCancellationRequested)
                    {
                        // One failed renewal (a storage timeout included)
                        // is harmless: the timeout lasts three intervals.
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // the activity ended
            }
        }

        public async Task StopAsync()
        {
            await stop.CancelAsync();
            await loop;
            stop.Dispose();
        }
    }
}

/// <summary>Registered after the Durable worker, so the host
/// stops it first: drain, then disconnect the worker.</summary>
sealed class EngineDrainService(DrainableEngine engine, ShutdownSettings settings)
    : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(settings.Drain);
        await engine.DrainAsync(cts.Token);
    }
}
