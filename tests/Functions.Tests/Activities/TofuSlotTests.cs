using Catalyst.Domain.Tofu;
using Catalyst.Functions.Activities;
using Catalyst.Functions.Orchestrations;
using Microsoft.Extensions.Hosting;
using Moq;

namespace Catalyst.Functions.Tests.Activities;

/// <summary>
/// Issue 16's rule in the activities and the workflow's wait: no free tofu slot within the short local wait → "no slot
/// here", then a durable wait; a slot freed during the local wait is taken there.
/// </summary>
public sealed class TofuSlotTests
{
    /// <summary>A runner whose every slot is taken, and a binary that would leave a mark if anything started it.</summary>
    static (TofuRunner Runner, TofuSlot Held, string Marker, string Root) BusyRunner()
    {
        var root = Directory.CreateTempSubdirectory("tofu-slot-").FullName;
        var marker = Path.Combine(root, "started");
        var binary = Path.Combine(root, "tofu");
        File.WriteAllText(binary, $"#!/usr/bin/env bash\ntouch '{marker}'\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var runner = new TofuRunner(new TofuSettings(root, Path.Combine(root, "work"), binary, TimeSpan.FromMinutes(1), "http://127.0.0.1:9", MaxParallel: 1));
        return (runner, runner.TryTakeSlot()!, marker, root);
    }

    // Everything but the runner is null: the activity must answer before it reads a record, the vault or a lock.
    static TofuRunContext ContextWith(ITofuRunner runner) => new(null!, null!, null!, runner, null!, null!, null!, null!, null!, null!, null!, null!, null!, null!);

    [Fact]
    public async Task AnApplyWithNoFreeSlotAnswersNoSlotAfterTheLocalWaitAndTouchesNothing()
    {
        var (runner, held, marker, root) = BusyRunner();
        try
        {
            var lifetime = Mock.Of<IHostApplicationLifetime>(l => l.ApplicationStopping == CancellationToken.None);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var answer = await new TofuApplyActivity(ContextWith(runner), lifetime).RunAsync(null!, new TofuApplyInput("d-busy", 1, AnswerNoSlot: true))
                .WaitAsync(TofuSlot.LocalWait + TimeSpan.FromSeconds(10));
            Assert.True(clock.Elapsed >= TofuSlot.LocalWait - TimeSpan.FromMilliseconds(50), $"answered after {clock.Elapsed}, before the local wait");

            Assert.Equal((true, false, null, null), (answer.NoSlot, answer.Succeeded, answer.Error, answer.Failure));
            Assert.False(File.Exists(marker), "tofu started without a slot");
            Assert.Equal(0, runner.FreeSlots);
            held.Dispose();
            Assert.Equal(1, runner.FreeSlots);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task ASlotFreedDuringTheLocalWaitIsTakenThere()
    {
        var (runner, held, _, root) = BusyRunner();
        try
        {
            var waiting = runner.TryTakeSlotAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
            Assert.False(waiting.IsCompleted);
            held.Dispose();
            using var slot = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(slot);
            Assert.Equal(0, runner.FreeSlots);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void TheWaitsDoubleFromTwoSecondsToHalfAMinuteWithAJitterFixedByTheInstance()
    {
        var waits = Enumerable.Range(0, 8).Select(ask => TofuSlots.Wait("instance-a", ask)).ToList();
        double[] bases = [2, 4, 8, 16, 30, 30, 30, 30];
        for (var ask = 0; ask < bases.Length; ask++)
            Assert.InRange(waits[ask].TotalSeconds, bases[ask], bases[ask] * 1.25);
        // Replays compute the same timers, in any process; other instances get other jitter.
        Assert.Equal(waits, Enumerable.Range(0, 8).Select(ask => TofuSlots.Wait("instance-a", ask)));
        Assert.True(Enumerable.Range(0, 20).Select(i => TofuSlots.Wait($"instance-{i}", 5)).Distinct().Count() > 10, "jitter does not spread instances");
        Assert.InRange(TofuSlots.Wait("instance-a", 1000).TotalSeconds, 30, 37.5);
    }
}
