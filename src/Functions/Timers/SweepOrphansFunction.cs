using Catalyst.Domain.Configuration;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Hetzner;
using Catalyst.Domain.Store;
using Catalyst.Functions.Activities;
using Cronos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Timers;

/// <summary>
/// Runs the <see cref="OrphanSweep"/> on the <c>CATALYST_ORPHAN_SWEEP</c> schedule (default hourly). The trigger ticks
/// every minute and sweeps when the configured schedule had an occurrence in the minute just past, so the schedule
/// has a default in both hosts (a <c>%setting%</c> schedule would have to be set everywhere). Safe on every replica
/// at once: a finding is written once, and deleting a deleted object is a no-op.
/// </summary>
public sealed class SweepOrphansFunction(
    DeploymentStore store, Vault vault, EventLog events, HetznerSweep hetzner, TofuRunContext tofu,
    OrphanSweepSettings settings, TimeProvider time,
    ILogger<SweepOrphansFunction> log)
{
    static readonly TimeSpan Tick = TimeSpan.FromMinutes(1);

    [Function(nameof(SweepOrphans))]
    public async Task SweepOrphans([TimerTrigger("0 * * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (!IsDue(settings.Schedule, time.GetUtcNow(), Tick)) return;
        var sweep = Sweep(settings);
        var outcomes = await sweep.SweepAllAsync(cancellationToken);
        foreach (var (id, problem) in sweep.Problems)
            log.LogWarning("Orphan sweep of deployment {Id} failed: {Problem}", id, problem);
        log.LogInformation(
            "Orphan sweep: {Reported} deployments with a new finding, {Failed} could not be swept, " +
            "{Unchanged} unchanged, {Skipped} skipped",
            outcomes.Count(o => o.Value == OrphanSweep.Outcome.Reported),
            outcomes.Count(o => o.Value == OrphanSweep.Outcome.Failed),
            outcomes.Count(o => o.Value == OrphanSweep.Outcome.Unchanged),
            outcomes.Count(o => o.Value == OrphanSweep.Outcome.Skipped));
    }

    /// <summary>The sweep, with a live deployment's state read through the same tofu runner its applies use.</summary>
    public OrphanSweep Sweep(OrphanSweepSettings settings) =>
        new(store, vault, events, hetzner, StateListAsync, settings, time);

    async Task<IReadOnlySet<string>> StateListAsync(DeploymentRecord record, CancellationToken cancellationToken)
    {
        await using var run = await tofu.PrepareAsync(record.Id, record.Run, cancellationToken);
        return await tofu.Runner.StateListAsync(run.Invocation, cancellationToken);
    }

    /// <summary>Whether <paramref name="schedule"/> (NCRONTAB, six fields with seconds or five without) fell due in the
    /// <paramref name="window"/> before <paramref name="now"/>.</summary>
    public static bool IsDue(string schedule, DateTimeOffset now, TimeSpan window)
    {
        CronExpression cron;
        try
        {
            var fields = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            cron = CronExpression.Parse(schedule, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            throw new SettingException(OrphanSweepSettings.ScheduleSetting,
                $"'{schedule}' is not an NCRONTAB schedule: {e.Message}");
        }
        return cron.GetNextOccurrence((now - window).UtcDateTime, TimeZoneInfo.Utc, inclusive: false) is { } next
            && next <= now.UtcDateTime;
    }
}
