using Catalyst.Domain.Configuration;
using Catalyst.Domain.Dns;

namespace Catalyst.Domain.Tests.Dns;

/// <summary>Issue 15: the pool labels no tenant may take, and their setting.</summary>
public class ReservedSubdomainsTests
{
    static ReservedSubdomains From(string? value) => ReservedSubdomains.From(k => k == ReservedSubdomains.Setting ? value : null);

    [Theory]
    [InlineData("console")]
    [InlineData("www")]
    [InlineData("mail")]
    [InlineData("harbor")]
    [InlineData("ns1")]
    [InlineData("openova")]
    [InlineData(" Console ")]
    public void TheDefaultsHoldOpenOvasOwnNames(string label) => Assert.True(From(null).Contains(label));

    [Theory]
    [InlineData("omantel")]
    [InlineData("console2")]
    [InlineData("my-console")]
    public void OtherLabelsAreNotReserved(string label) => Assert.False(From("").Contains(label));

    [Fact]
    public void TheSettingReplacesTheDefaults()
    {
        var reserved = From("Console, billing  status");
        Assert.Equal(["billing", "console", "status"], reserved.All);
        Assert.False(reserved.Contains("www"));
    }

    [Theory]
    [InlineData("console,*.x")]
    [InlineData("9lives")]
    [InlineData("a_b")]
    public void AMalformedNameStopsTheHostNamingTheSetting(string value)
    {
        var e = Assert.Throws<SettingException>(() => From(value));
        Assert.Equal(ReservedSubdomains.Setting, e.Setting);
    }
}
