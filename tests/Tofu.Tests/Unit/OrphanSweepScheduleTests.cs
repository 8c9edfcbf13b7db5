using Catalyst.Domain.Configuration;
using Catalyst.Domain.Hetzner;
using Catalyst.Functions.Timers;

namespace Catalyst.Tofu.Tests.Unit;

/// <summary>The orphan sweep's settings and its schedule check (the trigger ticks every minute).</summary>
public class OrphanSweepScheduleTests
{
    static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void TheDefaultSweepsHourlyAndReportsOnly()
    {
        var settings = OrphanSweepSettings.From(_ => null);
        Assert.Equal(("0 0 * * * *", false), (settings.Schedule, settings.Delete));
        Assert.True(OrphanSweepSettings.From(k => k == "CATALYST_ORPHAN_SWEEP_DELETE" ? "true" : null).Delete);
        Assert.Throws<SettingException>(() => OrphanSweepSettings.From(k => k == "CATALYST_ORPHAN_SWEEP_DELETE" ? "maybe" : null));
    }

    [Fact]
    public void ASweepIsDueOnlyInTheMinuteAfterAnOccurrence()
    {
        var hour = new DateTimeOffset(2026, 11, 29, 20, 0, 0, TimeSpan.Zero);
        Assert.True(SweepOrphansFunction.IsDue("0 0 * * * *", hour.AddMilliseconds(30), Minute));
        Assert.True(SweepOrphansFunction.IsDue("0 0 * * * *", hour, Minute));
        Assert.False(SweepOrphansFunction.IsDue("0 0 * * * *", hour.AddMinutes(1).AddMilliseconds(30), Minute));
        Assert.False(SweepOrphansFunction.IsDue("0 0 * * * *", hour.AddMinutes(-1).AddMilliseconds(30), Minute));
        Assert.True(SweepOrphansFunction.IsDue("*/15 * * * *", hour.AddMinutes(15).AddSeconds(2), Minute));
        var e = Assert.Throws<SettingException>(() => SweepOrphansFunction.IsDue("hourly", hour, Minute));
        Assert.Contains("CATALYST_ORPHAN_SWEEP", e.Message);
    }
}
