using System.Net;
using Catalyst.Domain.Configuration;
using Catalyst.Domain.Streams;

namespace Catalyst.Domain.Tests.Streams;

public class StreamGateTests
{
    static readonly IPAddress Alice = IPAddress.Parse("10.0.0.1"), Bob = IPAddress.Parse("10.0.0.2");

    [Fact]
    public void OneClientGetsItsLimitThenIsRefusedWhileOthersStillGetIn()
    {
        var gate = new StreamGate(new StreamLimits { MaxPerClient = 3, MaxTotal = 100 });
        var leases = Enumerable.Range(0, 3).Select(i => gate.TryEnter(Alice, out _)).ToList();
        Assert.All(leases, Assert.NotNull);

        Assert.Null(gate.TryEnter(Alice, out var why));
        Assert.Contains("limit per client", why);
        // The same address seen over an IPv6 socket is the same client.
        Assert.Null(gate.TryEnter(Alice.MapToIPv6(), out _));
        Assert.NotNull(gate.TryEnter(Bob, out _));

        leases[0]!.Dispose();
        leases[0]!.Dispose(); // twice frees one slot, not two
        Assert.NotNull(gate.TryEnter(Alice, out _));
        Assert.Null(gate.TryEnter(Alice, out _));
    }

    [Fact]
    public void TheTotalBoundsEveryClientTogether()
    {
        var gate = new StreamGate(new StreamLimits { MaxPerClient = 10, MaxTotal = 2 });
        using var a = gate.TryEnter(Alice, out _);
        var b = gate.TryEnter(Bob, out _);
        Assert.NotNull(b);
        Assert.Null(gate.TryEnter(IPAddress.Parse("10.0.0.3"), out var why));
        Assert.Contains("limit of 2 streams", why);
        b!.Dispose();
        Assert.Equal(1, gate.Open);
        Assert.NotNull(gate.TryEnter(null, out _)); // no address known still counts, under "unknown"
    }

    [Fact]
    public void SettingsHaveDefaultsAndAMalformedOneIsNamed()
    {
        var defaults = StreamLimits.From(_ => null);
        Assert.Equal((20, 1000), (defaults.MaxPerClient, defaults.MaxTotal));
        Assert.Equal(5, StreamLimits.From(k => k == "CATALYST_SSE_MAX_PER_CLIENT" ? "5" : null).MaxPerClient);
        Assert.Contains("CATALYST_SSE_MAX_TOTAL", Assert.Throws<SettingException>(() => StreamLimits.From(k => k == "CATALYST_SSE_MAX_TOTAL" ? "lots" : null)).Message);
        Assert.Contains("CATALYST_SSE_MAX_PER_CLIENT", Assert.Throws<SettingException>(() => StreamLimits.From(k => k == "CATALYST_SSE_MAX_PER_CLIENT" ? "0" : null)).Message);
    }
}
