using Catalyst.Domain.Dns;

namespace Catalyst.Domain.Tests.Dns;

public class SovereignRecordsTests
{
    [Fact]
    public void TheOriginalSixPlusTheSovereignsOwnName()
    {
        var records = SovereignRecords.For("omantel", "203.0.113.7");
        Assert.Equal(["*.omantel", "console.omantel", "gitea.omantel", "harbor.omantel", "admin.omantel", "api.omantel", "omantel"], records.Select(r => r.Host));
        Assert.All(records, r => Assert.Equal(("A", "203.0.113.7"), (r.Type, r.Value)));
    }

    [Theory]
    [InlineData("203.0.113.7", true)]
    [InlineData("2001:db8::1", false)]
    [InlineData("10.0.0", false)]
    [InlineData("", false)]
    public void LoadBalancerAddressMustBeIPv4(string ip, bool ok) => Assert.Equal(ok, SovereignRecords.IsIPv4(ip));
}
