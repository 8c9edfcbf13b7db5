using System.Reflection;
using Catalyst.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Catalyst.Functions.Tests.Hosting;

/// <summary>Standalone mode's timer trigger: how it reads schedules, and how it binds and runs a timer function.</summary>
public sealed class TimerSchedulerTests
{
    static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    static TimerFunction Timer(string schedule, string method = nameof(Targets.Counted), bool runOnStartup = false) =>
        new(method, schedule, runOnStartup, typeof(Targets).GetMethod(method)!);

    [Fact]
    public void SixFieldsIncludeSecondsAndFiveAreStandard()
    {
        var from = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(from.AddSeconds(30), TimerScheduler.Parse(Timer("30 * * * * *"), Config()).GetNextOccurrence(from));
        Assert.Equal(from.AddMinutes(5), TimerScheduler.Parse(Timer("*/5 * * * *"), Config()).GetNextOccurrence(from));
    }

    [Fact]
    public void APercentScheduleIsReadFromConfigurationAsTheFunctionsHostDoes()
    {
        var cron = TimerScheduler.Parse(Timer("%MY_SCHEDULE%"), Config(("MY_SCHEDULE", "0 0 3 * * *")));
        Assert.Equal(new DateTime(2026, 1, 1, 3, 0, 0, DateTimeKind.Utc), cron.GetNextOccurrence(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)));

        var missing = Assert.Throws<InvalidOperationException>(() => TimerScheduler.Parse(Timer("%NOT_SET%"), Config()));
        Assert.Contains("%NOT_SET%", missing.Message);
    }

    /// <summary>Every timer the app declares has a schedule standalone mode can run without settings.</summary>
    [Fact]
    public void EveryTimerOfTheAppParses()
    {
        var catalog = FunctionCatalog.Discover([typeof(StartupChecks).Assembly]);
        Assert.NotEmpty(catalog.Timers);
        foreach (var timer in catalog.Timers)
            TimerScheduler.Parse(timer, Config());
    }

    [Fact]
    public async Task RunOnStartupInvokesTheFunctionWithItsServicesTimerInfoAndToken()
    {
        var calls = new Calls();
        var log = new ListLogger();
        using var services = new ServiceCollection().AddSingleton(calls).BuildServiceProvider();
        var scheduler = Scheduler(services, log, Timer("0 0 0 1 1 *", runOnStartup: true));

        await scheduler.StartAsync(CancellationToken.None);
        await WaitForAsync(() => calls.Count > 0);
        await scheduler.StopAsync(CancellationToken.None);

        Assert.Equal(1, calls.Count);
        Assert.True(calls.HadTimerInfo);
        Assert.Empty(log.Errors);
    }

    [Fact]
    public async Task AFailingTimerIsLoggedAndTheSchedulerKeepsRunning()
    {
        var calls = new Calls();
        var log = new ListLogger();
        using var services = new ServiceCollection().AddSingleton(calls).BuildServiceProvider();
        var scheduler = Scheduler(services, log,
            Timer("0 0 0 1 1 *", nameof(Targets.Fails), runOnStartup: true),
            Timer("0 0 0 1 1 *", nameof(Targets.Unbindable), runOnStartup: true),
            Timer("0 0 0 1 1 *", runOnStartup: true));

        await scheduler.StartAsync(CancellationToken.None);
        await WaitForAsync(() => calls.Count > 0 && log.Errors.Count >= 2);
        await scheduler.StopAsync(CancellationToken.None);

        Assert.Equal(1, calls.Count);
        Assert.Contains(log.Errors, e => e.Contains("Timer Fails failed", StringComparison.Ordinal) && e.Contains("boom", StringComparison.Ordinal));
        Assert.Contains(log.Errors, e => e.Contains("Timer Unbindable failed", StringComparison.Ordinal) && e.Contains("cannot be bound in standalone mode", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StoppingEndsTheWaitForTheNextOccurrence()
    {
        using var services = new ServiceCollection().AddSingleton(new Calls()).BuildServiceProvider();
        var scheduler = Scheduler(services, new ListLogger(), Timer("0 0 0 1 1 *"));
        await scheduler.StartAsync(CancellationToken.None);
        var stopped = scheduler.StopAsync(CancellationToken.None);
        Assert.Same(stopped, await Task.WhenAny(stopped, Task.Delay(TimeSpan.FromSeconds(5))));
    }

    static TimerScheduler Scheduler(IServiceProvider services, ILogger<TimerScheduler> log, params TimerFunction[] timers)
    {
        var catalog = new FunctionCatalog { Http = [], Orchestrators = [], Activities = [], Timers = timers };
        return new TimerScheduler(catalog, services, Config(), log);
    }

    static async Task WaitForAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < until) await Task.Delay(20);
    }

    public sealed class Calls
    {
        int count;
        public int Count => Volatile.Read(ref count);
        public bool HadTimerInfo { get; set; }
        public void Add() => Interlocked.Increment(ref count);
    }

    public sealed class Targets(Calls calls)
    {
        public Task Counted(TimerInfo timer, CancellationToken cancellationToken)
        {
            calls.HadTimerInfo = timer is not null;
            calls.Add();
            return Task.CompletedTask;
        }

        public Task Fails(TimerInfo timer) => throw new InvalidOperationException("boom");

        public Task Unbindable(TimerInfo timer, string notAService) => Task.CompletedTask;
    }

    sealed class ListLogger : ILogger<TimerScheduler>
    {
        readonly List<string> errors = [];
        public IReadOnlyList<string> Errors { get { lock (errors) return errors.ToList(); } }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel < LogLevel.Error) return;
            lock (errors) errors.Add($"{formatter(state, exception)}: {exception?.Message}");
        }
    }
}
