using System.Collections.Concurrent;
using DurableTask.Core;
using Microsoft.Extensions.Logging;

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
/// <item>It survives a lost lock. When storage stalls past the visibility timeout the message is handed out again while
/// its activity still runs, and that delivery takes the message's pop receipt. The engine then refuses the running
/// activity's delete (its response is already sent: the engine sends it first) and drops every later delivery of the
/// message in this process, because it still counts the first one as in progress: a provision's apply waited for ever
/// behind 13 such messages in the 2026-11-30 <c>provisions 50</c> run. So a completion whose lock was lost is kept as
/// done, the engine's stale claim on the message is dropped, and the next delivery of it is answered with the response
/// already given (the workflow ignores a repeated one) instead of running the activity again here.</item>
/// </list>
/// </summary>
public sealed class DrainableEngine(IOrchestrationService engine, TimeSpan renewEvery,
    ILogger? log = null) : IOrchestrationService
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
        if (item is not null && answered.TryRemove(item.Id, out var earlier))
        {
            await AnswerAgainAsync(item, earlier.Response);
            return null!; // nothing for the dispatcher: it asks again
        }
        if (item is not null)
        {
            Enter();
            renewals[item] = Renewal.Start(engine, item, renewEvery);
        }
        return item!;
    }

    /// <summary>Activity messages whose response went out while their lock was lost, by message id: a later delivery
    /// is answered with it. Kept an hour (a delivery comes one visibility timeout later).</summary>
    readonly ConcurrentDictionary<string, (TaskMessage Response, DateTime At)> answered = new();

    /// <summary>How many completions this process kept although their lock was lost (for tests and logs).</summary>
    public int LocksLost => Volatile.Read(ref locksLost);
    int locksLost;

    async Task AnswerAgainAsync(TaskActivityWorkItem item, TaskMessage response)
    {
        try
        {
            await engine.CompleteTaskActivityWorkItemAsync(item, response);
            log?.LogInformation("Activity message {Id} came back after its lock was lost; answered with the response " +
                "already sent, not run again", item.Id);
        }
        catch (Exception e) when (LockLost(e))
        {
            Answered(item.Id, response); // lost again: the next delivery gets the same answer
        }
    }

    void Answered(string messageId, TaskMessage response)
    {
        var now = DateTime.UtcNow;
        foreach (var (id, old) in answered)
            if (now - old.At > TimeSpan.FromHours(1)) answered.TryRemove(id, out _);
        answered[messageId] = (response, now);
        ForgetSession(messageId);
    }

    /// <summary>
    /// The storage engine keeps a message it handed out in a private table until its completion or abandonment
    /// succeeds, and drops every other delivery of that message meanwhile; after a lost lock neither can succeed. No
    /// public API removes the entry, so this does (null when the engine has no such table: then nothing is done).
    /// </summary>
    static readonly System.Reflection.FieldInfo? EngineSessions =
        typeof(DurableTask.AzureStorage.AzureStorageOrchestrationService).GetField("activeActivitySessions",
            System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);

    /// <summary>Whether this version of the storage engine has the table <see cref="ForgetSession"/> edits (a test
    /// fails when an upgrade renames it).</summary>
    public static bool CanForgetEngineSessions => EngineSessions?.FieldType.IsAssignableTo(
        typeof(System.Collections.IDictionary)) == true;

    void ForgetSession(string messageId)
    {
        if (engine is DurableTask.AzureStorage.AzureStorageOrchestrationService storage
            && EngineSessions?.GetValue(storage) is System.Collections.IDictionary sessions)
            sessions.Remove(messageId);
    }

    /// <summary>The queue message was handed out again (its pop receipt
    /// changed) or is gone: this lock is lost.</summary>
    public static bool LockLost(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is Azure.RequestFailedException { ErrorCode: "PopReceiptMismatch" or "MessageNotFound" })
                return true;
        return false;
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
        catch (Exception e) when (LockLost(e))
        {
            // The engine sends the response before it deletes the message: the workflow has its answer. Not an
            // abandonment (that would fail the same way and leave the message stuck here).
            Interlocked.Increment(ref locksLost);
            Answered(workItem.Id, responseMessage);
            log?.LogWarning("Activity message {Id}: its lock was lost while it ran (storage stalled past the " +
                "visibility timeout); its response is sent, and a later delivery gets the same one", workItem.Id);
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
        catch (Exception e) when (LockLost(e))
        {
            // Handed out again already: that delivery runs it (once the engine forgets this one's claim).
            Interlocked.Increment(ref locksLost);
            ForgetSession(workItem.Id);
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
                    catch (Exception e) when (LockLost(e))
                    {
                        return; // handed out again: no renewal can succeed now
                    }
                    catch (Exception)
                    {
                        // One failed renewal (a storage timeout included) is harmless: the timeout lasts three
                        // intervals. Never rethrown, not even while stopping: the activity's completion waits for
                        // this renewal, and a failure passed on there turned a finished activity into an abandoned
                        // one (2026-11-30, provisions 50).
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
