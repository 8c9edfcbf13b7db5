using Catalyst.Domain.Dns;

namespace Catalyst.Domain.Tests.Dns;

public class ManagedDomainsTests
{
    static Func<string, string?> Settings(string? list, string? single) =>
        key => key switch { ManagedDomains.ListSetting => list, ManagedDomains.SingleSetting => single, _ => null };

    [Theory]
    [InlineData(null, null, "omani.works,openova.io")]                       // defaults, sorted
    [InlineData("", "", "omani.works,openova.io")]
    [InlineData(" , ,, ", null, "omani.works,openova.io")]                   // a list of nothing is no list
    [InlineData(null, "  Example.ORG ", "example.org")]                       // legacy single domain, trimmed, lower-cased
    [InlineData("b.io,A.io", "ignored.io", "a.io,b.io")]                      // the list wins over the single domain
    [InlineData("a.io  b.io\tc.io\nd.io", null, "a.io,b.io,c.io,d.io")]       // any whitespace splits
    [InlineData("a.io,,b.io , a.io,B.IO", null, "a.io,b.io")]                 // commas are spaces; duplicates dropped
    public void AllowlistFromSettings(string? list, string? single, string expected) =>
        Assert.Equal(expected.Split(','), ManagedDomains.From(Settings(list, single)).All);

    [Theory]
    [InlineData("omani.works", true)]
    [InlineData("  OMANI.Works ", true)]
    [InlineData("openova.io", true)]
    [InlineData("evil.omani.works", false)]
    [InlineData("omani.works.evil", false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData(null, false)]
    public void DefaultsFailClosed(string? domain, bool managed) =>
        Assert.Equal(managed, ManagedDomains.From(Settings(null, null)).Contains(domain));

    [Fact]
    public void ConfiguredListReplacesTheDefaults()
    {
        var domains = ManagedDomains.From(Settings("pool.example", null));
        Assert.True(domains.Contains("pool.example"));
        Assert.False(domains.Contains("omani.works"));
    }

    [Theory]
    [InlineData("a,b", new[] { "a", "b" })]
    [InlineData("A b,,c  a", new[] { "a", "b", "c" })]
    [InlineData("", new string[0])]
    public void SplitList(string raw, string[] expected) => Assert.Equal(expected, ManagedDomains.SplitList(raw));
}
