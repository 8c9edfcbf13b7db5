using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Flux;

/// <summary>
/// Phase-1 watch settings (reference B.7, §H), carried in the workflow's input. The original silently fell back on bad
/// values; we refuse them by name. <see cref="CheckIn"/> is how often the waiting workflow makes sure some replica
/// watches its Sovereign (and collects an outcome whose event was lost): the watch itself follows the cluster's own
/// watch stream, so nothing polls.
/// </summary>
public sealed record WatchSettings(TimeSpan WatchTimeout, TimeSpan FirstSeenTimeout, int MinBootstrapKitHrs,
    TimeSpan CheckIn)
{
    public const string CheckInSetting = "CATALYST_PHASE1_WATCH_CHECK_IN";

    public static WatchSettings From(Func<string, string?> settings)
    {
        var checkIn = Settings.Duration(settings, CheckInSetting, TimeSpan.FromMinutes(5));
        if (checkIn < TimeSpan.FromSeconds(1)) throw new SettingException(CheckInSetting, "must be at least 1s");
        return new(
            Settings.Duration(settings, "CATALYST_PHASE1_WATCH_TIMEOUT", TimeSpan.FromMinutes(60)),
            Settings.Duration(settings, "CATALYST_PHASE1_FIRST_SEEN_TIMEOUT", TimeSpan.FromMinutes(15)),
            Settings.Int(settings, "CATALYST_PHASE1_MIN_BOOTSTRAP_KIT_HRS", 1, 1, 1000),
            checkIn);
    }
}
