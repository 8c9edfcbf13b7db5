using Catalyst.Domain.Configuration;
using Catalyst.Functions.Hosting;

namespace Catalyst.Functions.Tests.Hosting;

public class HostModeSelectorTests
{
    [Fact]
    public void AutoPicksFunctionsWhenTheHostPassedItsAddress() =>
        Assert.Equal(HostMode.Functions, HostModeSelector.Select(["--host", "127.0.0.1", "--functions-uri", "http://127.0.0.1:5000/"], _ => null));

    [Fact]
    public void AutoPicksStandaloneOtherwise() =>
        Assert.Equal(HostMode.Standalone, HostModeSelector.Select([], _ => null));

    [Theory]
    [InlineData("standalone", HostMode.Standalone)]
    [InlineData("Functions", HostMode.Functions)]
    public void SettingForcesTheMode(string value, HostMode expected) =>
        Assert.Equal(expected, HostModeSelector.Select(["--functions-uri", "x"], k => k == HostModeSelector.Setting ? value : null));

    [Fact]
    public void UnknownModeNamesTheSetting()
    {
        var e = Assert.Throws<SettingException>(() => HostModeSelector.Select([], _ => "kubernetes"));
        Assert.Equal(HostModeSelector.Setting, e.Setting);
    }
}
