using System.Reflection;
using Cronos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// Standalone mode's timer trigger: runs each <c>[TimerTrigger]</c> function on its NCRONTAB schedule (six fields,
/// seconds first, UTC), resolving <c>%Setting%</c> schedules from configuration as the Functions host does.
/// Unlike the host, it takes no singleton lock: timer functions must be safe to run on every replica at once.
/// </summary>
public sealed class TimerScheduler(FunctionCatalog catalog, IServiceProvider services, IConfiguration configuration,
    ILogger<TimerScheduler> log)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            catalog.Timers.Select(timer => RunScheduleAsync(timer, Parse(timer, configuration), stoppingToken)));

    public static CronExpression Parse(TimerFunction timer, IConfiguration configuration)
    {
        var schedule = timer.Schedule;
        if (schedule.Length > 2 && schedule.StartsWith('%') && schedule.EndsWith('%'))
            schedule = configuration[schedule[1..^1]]
                ?? throw new InvalidOperationException($"Timer {timer.Name}: setting {schedule} is not set.");
        var fields = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return CronExpression.Parse(schedule, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
    }

    async Task RunScheduleAsync(TimerFunction timer, CronExpression cron, CancellationToken stoppingToken)
    {
        if (timer.RunOnStartup) await InvokeAsync(timer, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = cron.GetNextOccurrence(DateTime.UtcNow, TimeZoneInfo.Utc);
            if (next is null) return;
            try
            {
                await Task.Delay(next.Value - DateTime.UtcNow, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await InvokeAsync(timer, stoppingToken);
        }
    }

    async Task InvokeAsync(TimerFunction timer, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = services.CreateAsyncScope();
            var method = timer.Method;
            var target = method.IsStatic ? null
                : ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, method.DeclaringType!);
            var arguments = method.GetParameters().Select(p => p.ParameterType switch
            {
                var t when t == typeof(TimerInfo) => new TimerInfo(),
                var t when t == typeof(CancellationToken) => (object)stoppingToken,
                var t when t == typeof(Microsoft.DurableTask.Client.DurableTaskClient) =>
                    scope.ServiceProvider.GetRequiredService<Microsoft.DurableTask.Client.DurableTaskClient>(),
                var t => throw new InvalidOperationException(
                    $"Timer {timer.Name}: parameter of type {t.Name} cannot be bound in standalone mode."),
            }).ToArray();
            if (method.Invoke(target, arguments) is Task task) await task;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            log.LogError(e is TargetInvocationException { InnerException: { } inner } ? inner : e,
                "Timer {Timer} failed", timer.Name);
        }
    }
}
