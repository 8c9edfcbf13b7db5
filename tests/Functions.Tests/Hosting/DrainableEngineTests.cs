using Catalyst.Functions.Hosting;
using DurableTask.Core;
using Moq;

namespace Catalyst.Functions.Tests.Hosting;

public class DrainableEngineTests
{
    static (DrainableEngine Engine, Mock<IOrchestrationService> Inner) Create()
    {
        var inner = new Mock<IOrchestrationService>();
        inner.Setup(e => e.LockNextTaskActivityWorkItem(It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => new TaskActivityWorkItem { Id = Guid.NewGuid().ToString() });
        inner.Setup(e => e.LockNextTaskOrchestrationWorkItemAsync(It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => new TaskOrchestrationWorkItem { InstanceId = "i" });
        return (new DrainableEngine(inner.Object, TimeSpan.FromMilliseconds(50)), inner);
    }

    [Fact]
    public async Task DrainWaitsForWorkItemsAlreadyOut()
    {
        var (engine, _) = Create();
        var activity = await engine.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);
        var orchestration = await engine.LockNextTaskOrchestrationWorkItemAsync(TimeSpan.FromSeconds(1), CancellationToken.None);

        var drain = engine.DrainAsync(CancellationToken.None);
        Assert.False(drain.IsCompleted);
        await engine.CompleteTaskActivityWorkItemAsync(activity, new TaskMessage());
        Assert.False(drain.IsCompleted);
        await engine.ReleaseTaskOrchestrationWorkItemAsync(orchestration);
        await drain.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, engine.Outstanding);
    }

    [Fact]
    public async Task DrainingHandsOutNoNewWork()
    {
        var (engine, inner) = Create();
        await engine.DrainAsync(CancellationToken.None);

        Assert.Null(await engine.LockNextTaskActivityWorkItem(TimeSpan.FromMilliseconds(10), CancellationToken.None));
        Assert.Null(await engine.LockNextTaskOrchestrationWorkItemAsync(TimeSpan.FromMilliseconds(10), CancellationToken.None));
        inner.Verify(e => e.LockNextTaskActivityWorkItem(It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task DrainGivesUpWhenTimeRunsOut()
    {
        var (engine, _) = Create();
        await engine.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await engine.DrainAsync(cts.Token);

        Assert.Equal(1, engine.Outstanding);
    }

    [Fact]
    public async Task AbandonedActivitiesCountAsDone()
    {
        var (engine, _) = Create();
        var activity = await engine.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);
        var drain = engine.DrainAsync(CancellationToken.None);
        await engine.AbandonTaskActivityWorkItemAsync(activity);
        await drain.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AnActivityStaysLockedWhileItRunsAndNotAfter()
    {
        var (engine, inner) = Create();
        var renewed = 0;
        inner.Setup(e => e.RenewTaskActivityWorkItemLockAsync(It.IsAny<TaskActivityWorkItem>()))
            .Returns((TaskActivityWorkItem item) => { Interlocked.Increment(ref renewed); return Task.FromResult(item); });
        var activity = await engine.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);

        await Catalyst.Testing.Wait.UntilAsync(() => Volatile.Read(ref renewed) >= 3, TimeSpan.FromSeconds(10), "three renewals of the running activity");
        await engine.CompleteTaskActivityWorkItemAsync(activity, new TaskMessage());
        var afterCompletion = Volatile.Read(ref renewed);
        await Task.Delay(300); // six renewal intervals: none may happen once the item is complete

        Assert.Equal(afterCompletion, Volatile.Read(ref renewed));
        Assert.Equal(0, engine.Renewing);
    }

    [Fact]
    public async Task AFailedRenewalDoesNotStopTheNextOne()
    {
        var (engine, inner) = Create();
        var calls = 0;
        inner.Setup(e => e.RenewTaskActivityWorkItemLockAsync(It.IsAny<TaskActivityWorkItem>()))
            .Returns((TaskActivityWorkItem item) => Interlocked.Increment(ref calls) == 1
                ? Task.FromException<TaskActivityWorkItem>(new InvalidOperationException("storage hiccup"))
                : Task.FromResult(item));
        var activity = await engine.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);

        await Catalyst.Testing.Wait.UntilAsync(() => Volatile.Read(ref calls) >= 2, TimeSpan.FromSeconds(10), "a renewal after the failed one");
        await engine.AbandonTaskActivityWorkItemAsync(activity);
        Assert.Equal(0, engine.Renewing);
    }

    static Exception PopReceiptMismatch() => new InvalidOperationException("An error occurred while communicating with Azure Storage",
        new Azure.RequestFailedException(400, "The specified pop receipt did not match", "PopReceiptMismatch", null));

    [Fact]
    public async Task ARenewalThatFailsWhileTheActivityCompletesDoesNotKeepItsResponseFromTheWorkflow()
    {
        var (engine, inner) = Create();
        var renewing = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        inner.Setup(e => e.RenewTaskActivityWorkItemLockAsync(It.IsAny<TaskActivityWorkItem>()))
            .Returns(async (TaskActivityWorkItem _) =>
            {
                renewing.TrySetResult();
                await release.Task;
                throw PopReceiptMismatch();
            });
        var activity = await engine.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);
        await renewing.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // The activity finishes while a renewal is stuck in storage; that renewal then fails.
        var completing = engine.CompleteTaskActivityWorkItemAsync(activity, new TaskMessage());
        release.SetResult();
        await completing.WaitAsync(TimeSpan.FromSeconds(10));

        inner.Verify(e => e.CompleteTaskActivityWorkItemAsync(activity, It.IsAny<TaskMessage>()), Times.Once);
        inner.Verify(e => e.AbandonTaskActivityWorkItemAsync(It.IsAny<TaskActivityWorkItem>()), Times.Never);
    }

    [Fact]
    public async Task ACompletionWhoseLockWasLostIsKeptAndItsMessageIsAnsweredNotRunAgain()
    {
        var (engine, inner) = Create();
        inner.Setup(e => e.LockNextTaskActivityWorkItem(It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => new TaskActivityWorkItem { Id = "message-1" });
        var completions = new List<(TaskActivityWorkItem Item, TaskMessage Response)>();
        inner.Setup(e => e.CompleteTaskActivityWorkItemAsync(It.IsAny<TaskActivityWorkItem>(), It.IsAny<TaskMessage>()))
            .Returns((TaskActivityWorkItem item, TaskMessage response) =>
            {
                completions.Add((item, response));
                // The first delete fails: the message was handed out again while the activity ran.
                return completions.Count == 1 ? Task.FromException(PopReceiptMismatch()) : Task.CompletedTask;
            });
        var first = await engine.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);
        var response = new TaskMessage();

        await engine.CompleteTaskActivityWorkItemAsync(first, response); // not thrown: the sidecar would abandon it
        Assert.Equal(1, engine.LocksLost);
        Assert.Equal(0, engine.Outstanding);

        // The message comes back: it is answered with the same response, and the dispatcher gets nothing to run.
        Assert.Null(await engine.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal(2, completions.Count);
        Assert.NotSame(first, completions[1].Item);
        Assert.Same(response, completions[1].Response);
        // Answered once: a later delivery of that id is new work again.
        Assert.NotNull(await engine.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None));
        inner.Verify(e => e.AbandonTaskActivityWorkItemAsync(It.IsAny<TaskActivityWorkItem>()), Times.Never);
    }

    [Fact]
    public void OnlyALostLockCountsAsOne()
    {
        Assert.True(DrainableEngine.LockLost(PopReceiptMismatch()));
        Assert.True(DrainableEngine.LockLost(new Azure.RequestFailedException(404, "gone", "MessageNotFound", null)));
        Assert.False(DrainableEngine.LockLost(new Azure.RequestFailedException(404, "no queue", "QueueNotFound", null)));
        Assert.False(DrainableEngine.LockLost(new TimeoutException()));
    }

    [Fact]
    public void TheStorageEnginesTableOfMessagesInProgressIsWhereThisVersionKeepsIt() =>
        Assert.True(DrainableEngine.CanForgetEngineSessions);
}
