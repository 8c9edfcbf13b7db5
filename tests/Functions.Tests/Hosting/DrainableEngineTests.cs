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
        return (new DrainableEngine(inner.Object), inner);
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
}
