using Catalyst.Domain.Dns;

namespace Catalyst.Domain.Tests.Dns;

public class SubdomainLabelTests
{
    [Theory]
    [InlineData("omantel", true)]
    [InlineData("a", true)]
    [InlineData("a1-b2", true)]
    [InlineData("1abc", false)]         // starts with a digit
    [InlineData("-abc", false)]
    [InlineData("abc-", false)]
    [InlineData("ab_c", false)]
    [InlineData("ab.c", false)]
    [InlineData("Abc", false)]          // callers normalise first
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Rule(string? label, bool valid) => Assert.Equal(valid, SubdomainLabel.IsValid(label));

    [Fact]
    public void AtMost63Characters()
    {
        Assert.True(SubdomainLabel.IsValid("a" + new string('b', 62)));
        Assert.False(SubdomainLabel.IsValid("a" + new string('b', 63)));
    }

    [Theory]
    [InlineData("omani.works", true)]
    [InlineData("a.b.example", true)]
    [InlineData("localhost", false)]
    [InlineData("omani..works", false)]
    [InlineData("../etc", false)]
    [InlineData("omani.works/x", false)]
    [InlineData("-a.works", false)]
    public void DomainNames(string name, bool valid) => Assert.Equal(valid, SubdomainLabel.IsDomainName(name));
}
