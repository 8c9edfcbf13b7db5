using DurableTask.Core;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// The engine as the sidecar's dispatchers see it, with a way to drain: once draining, no new work item is
/// handed out, and <see cref="DrainAsync"/> waits until every work item already out has been completed (its
/// result persisted) or abandoned. What is still out when time runs out is left to the engine, which delivers
/// it again after its visibility timeout — to this process's successor or another replica.
/// </summary>
public sealed class DrainableEngine(IOrchestrationService engine) : IOrchestrationService
{
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

    public async Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        if (draining) return await Idle<TaskOrchestrationWorkItem>(receiveTimeout, cancellationToken);
        var item = await engine.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);
        if (item is not null) Enter();
        return item!;
    }

    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        if (draining) return await Idle<TaskActivityWorkItem>(receiveTimeout, cancellationToken);
        var item = await engine.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);
        if (item is not null) Enter();
        return item!;
    }

    public async Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem)
    {
        try { await engine.ReleaseTaskOrchestrationWorkItemAsync(workItem); }
        finally { Leave(); }
    }

    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        try { await engine.CompleteTaskActivityWorkItemAsync(workItem, responseMessage); }
        finally { Leave(); }
    }

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        try { await engine.AbandonTaskActivityWorkItemAsync(workItem); }
        finally { Leave(); }
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
        await Task.Delay(receiveTimeout < TimeSpan.FromSeconds(1) ? receiveTimeout : TimeSpan.FromSeconds(1), cancellationToken);
        return null!;
    }

    // Everything else goes straight to the engine.
    public Task StartAsync() => engine.StartAsync();
    public Task StopAsync() => engine.StopAsync();
    public Task StopAsync(bool isForced) => engine.StopAsync(isForced);
    public Task CreateAsync() => engine.CreateAsync();
    public Task CreateAsync(bool recreateInstanceStore) => engine.CreateAsync(recreateInstanceStore);
    public Task CreateIfNotExistsAsync() => engine.CreateIfNotExistsAsync();
    public Task DeleteAsync() => engine.DeleteAsync();
    public Task DeleteAsync(bool deleteInstanceStore) => engine.DeleteAsync(deleteInstanceStore);
    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => engine.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);
    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => engine.GetDelayInSecondsAfterOnProcessException(exception);
    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => engine.GetDelayInSecondsAfterOnFetchException(exception);
    public int TaskOrchestrationDispatcherCount => engine.TaskOrchestrationDispatcherCount;
    public int MaxConcurrentTaskOrchestrationWorkItems => engine.MaxConcurrentTaskOrchestrationWorkItems;
    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => engine.EventBehaviourForContinueAsNew;
    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => engine.RenewTaskOrchestrationWorkItemLockAsync(workItem);
    public Task CompleteTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem, OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages, IList<TaskMessage> orchestratorMessages, IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage, OrchestrationState orchestrationState) =>
        engine.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);
    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => engine.AbandonTaskOrchestrationWorkItemAsync(workItem);
    public int TaskActivityDispatcherCount => engine.TaskActivityDispatcherCount;
    public int MaxConcurrentTaskActivityWorkItems => engine.MaxConcurrentTaskActivityWorkItems;
    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => engine.RenewTaskActivityWorkItemLockAsync(workItem);
}

/// <summary>Registered after the Durable worker, so the host stops it first: drain, then disconnect the worker.</summary>
sealed class EngineDrainService(DrainableEngine engine, ShutdownSettings settings) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(settings.Drain);
        await engine.DrainAsync(cts.Token);
    }
}
