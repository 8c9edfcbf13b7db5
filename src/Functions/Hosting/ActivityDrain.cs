using Microsoft.DurableTask;
using Microsoft.Extensions.Hosting;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// Counts the activities this process is running, so a stopping host can let them finish before the worker
/// disconnects. Once draining starts, newly delivered activities never start: the process exits without
/// completing them and the engine re-delivers them to another replica when their visibility timeout lapses.
/// </summary>
public sealed class ActivityDrain
{
    readonly TaskCompletionSource idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource neverStarts = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int running;
    volatile bool draining;

    public int Running => Volatile.Read(ref running);

    public async Task<object?> RunAsync(Func<Task<object?>> activity)
    {
        Interlocked.Increment(ref running);
        if (draining)
        {
            Leave();
            await neverStarts.Task;
        }
        try
        {
            return await activity();
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Stops new activities from starting and waits, at most until <paramref name="cancellationToken"/>, for running ones.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        draining = true;
        if (Running == 0) idle.TrySetResult();
        try
        {
            await idle.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Out of time: what is still running is abandoned and re-delivered elsewhere.
        }
    }

    void Leave()
    {
        if (Interlocked.Decrement(ref running) == 0 && draining) idle.TrySetResult();
    }
}

/// <summary>Wraps each activity so <see cref="ActivityDrain"/> sees it.</summary>
sealed class DrainAwareActivity(ITaskActivity inner, ActivityDrain drain) : ITaskActivity
{
    public Type InputType => inner.InputType;
    public Type OutputType => inner.OutputType;
    public Task<object?> RunAsync(TaskActivityContext context, object? input) => drain.RunAsync(() => inner.RunAsync(context, input));
}

/// <summary>Registered after the Durable worker, so the host stops it first: drain, then disconnect.</summary>
sealed class ActivityDrainService(ActivityDrain drain, ShutdownSettings settings) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(settings.Drain);
        await drain.DrainAsync(cts.Token);
    }
}
