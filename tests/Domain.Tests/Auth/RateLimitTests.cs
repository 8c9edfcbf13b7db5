using System.Net;
using Catalyst.Domain.Auth;
using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Tests.Auth;

public class RateLimitTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    static readonly RateLimit FivePer15m = new(5, TimeSpan.FromMinutes(15));

    [Fact]
    public void AWindowAdmitsItsLimitThenRefusesUntilItEnds()
    {
        WindowCount? count = null;
        for (var i = 1; i <= 5; i++)
        {
            count = FivePer15m.Admit(count, T0.AddMinutes(i));
            Assert.Equal(new WindowCount(T0.AddMinutes(1), i), count);
        }
        Assert.Null(FivePer15m.Admit(count, T0.AddMinutes(10)));
        // The window started with the first request (T0+1m), so it ends at T0+16m.
        Assert.Equal(360, FivePer15m.RetryAfterSeconds(count!, T0.AddMinutes(10)));
        Assert.Null(FivePer15m.Admit(count, T0.AddMinutes(16).AddTicks(-1)));
        Assert.Equal(new WindowCount(T0.AddMinutes(16), 1), FivePer15m.Admit(count, T0.AddMinutes(16)));
    }

    [Fact]
    public void RetryAfterRoundsUpAndIsNeverZero()
    {
        var full = new WindowCount(T0, 5);
        Assert.Equal(900, FivePer15m.RetryAfterSeconds(full, T0));
        Assert.Equal(1, FivePer15m.RetryAfterSeconds(full, T0.AddMinutes(15).AddMilliseconds(-1)));
        Assert.Equal(2, FivePer15m.RetryAfterSeconds(full, T0.AddMinutes(15).AddSeconds(-1.5)));
    }

    [Fact]
    public void AWindowFromTheFutureStartsAfresh()
    {
        // Another replica's clock ran ahead: its window must not lock this one out for longer than a window.
        Assert.Equal(new WindowCount(T0, 1), FivePer15m.Admit(new WindowCount(T0.AddHours(1), 5), T0));
    }

    [Fact]
    public void ReleaseGivesBackOnlyWithinTheCurrentWindow()
    {
        Assert.Equal(new WindowCount(T0, 2), FivePer15m.Release(new WindowCount(T0, 3), T0.AddMinutes(1)));
        Assert.Null(FivePer15m.Release(new WindowCount(T0, 3), T0.AddMinutes(15)));
        Assert.Null(FivePer15m.Release(new WindowCount(T0, 0), T0));
        Assert.Null(FivePer15m.Release(null, T0));
    }

    [Fact]
    public void KeysNormaliseTheEmailAndGroupAnIpv6ClientByItsSlash64()
    {
        Assert.Equal(MagicLinkLimits.EmailKey("alice@acme.example"), MagicLinkLimits.EmailKey(" Alice@ACME.example "));
        Assert.Equal("address:192.0.2.7", MagicLinkLimits.AddressKey(IPAddress.Parse("192.0.2.7")));
        Assert.Equal("address:192.0.2.7", MagicLinkLimits.AddressKey(IPAddress.Parse("::ffff:192.0.2.7")));
        Assert.Equal(MagicLinkLimits.AddressKey(IPAddress.Parse("2001:db8:1:2::1")), MagicLinkLimits.AddressKey(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.NotEqual(MagicLinkLimits.AddressKey(IPAddress.Parse("2001:db8:1:2::1")), MagicLinkLimits.AddressKey(IPAddress.Parse("2001:db8:1:3::1")));
        Assert.Equal("address:unknown", MagicLinkLimits.AddressKey(null));
    }

    [Fact]
    public void BlobNamesNeverHoldTheEmail()
    {
        var name = BlobRateLimiter.BlobName(MagicLinkLimits.EmailKey("alice@acme.example"));
        Assert.Matches("^[0-9a-f]{64}$", name);
        Assert.DoesNotContain("alice", name);
    }

    [Fact]
    public void SettingsDefaultToFiveAndTwentyPerFifteenMinutesAndRefuseNonsense()
    {
        Dictionary<string, string?> Base() => new() { ["CATALYST_AUTH_MODE"] = "off" };
        Assert.Equal(new MagicLinkLimits(5, 20, TimeSpan.FromMinutes(15)), AuthSettings.From(k => Base().GetValueOrDefault(k)).MagicLinkLimits);
        var set = Base();
        set["CATALYST_MAGIC_LINK_PER_EMAIL"] = "3";
        set["CATALYST_MAGIC_LINK_PER_ADDRESS"] = "50";
        set["CATALYST_MAGIC_LINK_WINDOW"] = "1h";
        Assert.Equal(new MagicLinkLimits(3, 50, TimeSpan.FromHours(1)), AuthSettings.From(k => set.GetValueOrDefault(k)).MagicLinkLimits);
        foreach (var (name, value) in new[] { ("CATALYST_MAGIC_LINK_PER_EMAIL", "0"), ("CATALYST_MAGIC_LINK_PER_ADDRESS", "many"), ("CATALYST_MAGIC_LINK_WINDOW", "0s") })
        {
            var bad = Base();
            bad[name] = value;
            Assert.Equal(name, Assert.Throws<SettingException>(() => AuthSettings.From(k => bad.GetValueOrDefault(k))).Setting);
        }
    }
}
