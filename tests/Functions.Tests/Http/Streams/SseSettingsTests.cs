using Catalyst.Domain.Configuration;
using Catalyst.Functions.Http.Streams;
using Microsoft.Extensions.Configuration;

namespace Catalyst.Functions.Tests.Http.Streams;

public class SseSettingsTests
{
    static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void DefaultsToTenMinutesWellUnderTheRepositorysFunctionTimeout()
    {
        var settings = SseSettings.From(Config(("AzureFunctionsJobHost:functionTimeout", "01:00:00")));
        Assert.Equal(TimeSpan.FromMinutes(10), settings.MaxDuration);
    }

    [Theory]
    [InlineData("00:59:30")]
    [InlineData("01:00:00")]
    [InlineData("02:00:00")]
    public void AStreamThatWouldOutliveFunctionTimeoutStopsTheStart(string max)
    {
        var e = Assert.Throws<SettingException>(() => SseSettings.From(Config(("AzureFunctionsJobHost:functionTimeout", "01:00:00"), (SseSettings.MaxDurationSetting, max))));
        Assert.Equal(SseSettings.MaxDurationSetting, e.Setting);
    }

    [Fact]
    public void ZeroIsRefused() =>
        Assert.Throws<SettingException>(() => SseSettings.From(Config((SseSettings.MaxDurationSetting, "0s"))));
}
