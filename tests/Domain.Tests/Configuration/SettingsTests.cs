using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Tests.Configuration;

public class SettingsTests
{
    static Func<string, string?> From(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => v.Key == key).Value;

    [Theory]
    [InlineData("15m", 900)]
    [InlineData("10s", 10)]
    [InlineData("1h30m", 5400)]
    [InlineData("250ms", 0.25)]
    [InlineData("30d", 2592000)]
    [InlineData("00:15:00", 900)]
    public void Duration_AcceptsGoAndTimeSpanForms(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Settings.Duration(From(("X", text)), "X", TimeSpan.Zero));

    [Theory]
    [InlineData("15")]
    [InlineData("m")]
    [InlineData("5y")]
    [InlineData("-5m")]
    [InlineData("0s")]
    public void Duration_RejectsNonsenseNamingTheSetting(string text)
    {
        var e = Assert.Throws<SettingException>(() => Settings.Duration(From(("CATALYST_PHASE1_WATCH_TIMEOUT", text)), "CATALYST_PHASE1_WATCH_TIMEOUT", TimeSpan.Zero));
        Assert.StartsWith("CATALYST_PHASE1_WATCH_TIMEOUT: ", e.Message);
        Assert.Equal("CATALYST_PHASE1_WATCH_TIMEOUT", e.Setting);
    }

    [Fact]
    public void MissingValuesFallBack()
    {
        Assert.Equal(TimeSpan.FromMinutes(60), Settings.Duration(From(), "X", TimeSpan.FromMinutes(60)));
        Assert.Equal(7, Settings.Int(From(("X", "  ")), "X", 7));
        Assert.True(Settings.Bool(From(), "X", true));
    }

    [Fact]
    public void Required_NamesTheSettingAndWhy()
    {
        var e = Assert.Throws<SettingException>(() => Settings.Required(From(), "CATALYST_VAULT_KEY", "encrypts the vault"));
        Assert.Equal("CATALYST_VAULT_KEY: is required (encrypts the vault)", e.Message);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("99")]
    public void Int_RejectsTextAndOutOfRange(string text) =>
        Assert.Throws<SettingException>(() => Settings.Int(From(("N", text)), "N", 1, 0, 16));

    [Theory]
    [InlineData("true", true)]
    [InlineData("ON", true)]
    [InlineData("0", false)]
    public void Bool_AcceptsCommonSpellings(string text, bool expected) =>
        Assert.Equal(expected, Settings.Bool(From(("B", text)), "B", !expected));

    [Fact]
    public void Bool_RejectsOther() => Assert.Throws<SettingException>(() => Settings.Bool(From(("B", "maybe")), "B", false));
}
