using Catalyst.Domain.Dns;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Dns;

/// <summary>Publishing and removing a pool Sovereign's records against a fake Dynadot (reference C.3, F "dynadot").</summary>
public sealed class SovereignDnsTests : IDisposable
{
    const string Pool = "omani.works";
    const string Ip = "203.0.113.7";
    readonly FakeDynadot fake = new();
    readonly HttpClient http = new();

    public void Dispose()
    {
        http.Dispose();
        fake.Dispose();
    }

    SovereignDns Dns(DynadotAccount? account = null) =>
        new(new DynadotClient(http, new DynadotEndpoint(new Uri(fake.Url))), ManagedDomains.Of(Pool, "openova.io"),
            account ?? new DynadotAccount(new DynadotCredentials(fake.Key, fake.Secret)), new InProcessZoneLock());

    static readonly string[] OmantelHosts = ["*.omantel", "console.omantel", "gitea.omantel", "harbor.omantel", "admin.omantel", "api.omantel", "omantel"];

    [Fact]
    public async Task PublishWritesTheRecordSetWithTtlAndNeverWithoutTheAppendFlag()
    {
        fake.AddZone(Pool);
        var outcome = await Dns().PublishAsync(Pool, "omantel", Ip, default);

        Assert.Equal("omantel.omani.works", outcome.Fqdn);
        Assert.Equal(OmantelHosts.Select(h => $"{h}.{Pool}"), outcome.Added);
        Assert.Empty(outcome.AlreadyPresent);
        var writes = fake.CallsOf("set_dns2");
        Assert.Equal(7, writes.Count);
        Assert.All(writes, w =>
        {
            Assert.Equal("yes", w["add_dns_to_current_setting"]);
            Assert.Equal(Pool, w["domain"]);
            Assert.Equal("A", w["sub_record_type0"]);
            Assert.Equal(Ip, w["sub_record0"]);
            Assert.Equal("300", w["sub_recordx0"]);
            Assert.Null(w["main_record0"]);
        });
        Assert.Equal(OmantelHosts, writes.Select(w => w["subdomain0"]));
        Assert.Equal(OmantelHosts, fake.ZoneOf(Pool).Sub.Select(r => r.Host));
    }

    [Fact]
    public async Task ARetriedPublishWritesNothingNew()
    {
        fake.AddZone(Pool);
        await Dns().PublishAsync(Pool, "omantel", Ip, default);
        var again = await Dns().PublishAsync(Pool, "omantel", Ip, default);

        Assert.Empty(again.Added);
        Assert.Equal(7, again.AlreadyPresent.Count);
        Assert.Equal(7, fake.CallsOf("set_dns2").Count);
        Assert.Equal(7, fake.ZoneOf(Pool).Sub.Count);
    }

    [Fact]
    public async Task APartlyDonePublishAddsOnlyWhatIsMissing()
    {
        var zone = fake.AddZone(Pool);
        zone.Sub.Add(new FakeDynadot.Record("console.omantel", "a", Ip)); // Dynadot may report the type in lower case
        zone.Sub.Add(new FakeDynadot.Record("*.omantel", "A", Ip));
        var outcome = await Dns().PublishAsync(Pool, "omantel", Ip, default);

        Assert.Equal(5, outcome.Added.Count);
        Assert.Equal(["*.omantel.omani.works", "console.omantel.omani.works"], outcome.AlreadyPresent);
        Assert.Equal(5, fake.CallsOf("set_dns2").Count);
    }

    [Fact]
    public async Task ANameOfOursPointingElsewhereStopsThePublishBeforeAnyWrite()
    {
        fake.AddZone(Pool).Sub.Add(new FakeDynadot.Record("api.omantel", "A", "198.51.100.1"));
        var e = await Assert.ThrowsAsync<DnsRefusedException>(() => Dns().PublishAsync(Pool, "omantel", Ip, default));
        Assert.Contains("api.omantel.omani.works A 198.51.100.1", e.Message);
        Assert.Empty(fake.CallsOf("set_dns2"));
    }

    [Fact]
    public async Task ADynadotErrorFailsWithItsMessage()
    {
        fake.AddZone(Pool);
        fake.Intercept = q => q["command"] == "set_dns2" ? (200, """{"SetDnsResponse":{"ResponseCode":"-1","Status":"error","Error":"record limit reached"}}""") : null;
        var e = await Assert.ThrowsAsync<DynadotException>(() => Dns().PublishAsync(Pool, "omantel", Ip, default));

        Assert.Equal("dynadot api error: code=-1 status=error err=record limit reached", e.Message);
        Assert.Single(fake.CallsOf("set_dns2")); // fails fast on the first error
    }

    [Fact]
    public async Task AnHttpErrorNeverShowsTheCredentials()
    {
        fake.AddZone(Pool);
        fake.Intercept = q => (500, $"internal error for key={q["key"]} secret={q["secret"]}");
        var e = await Assert.ThrowsAsync<DynadotException>(() => Dns().PublishAsync(Pool, "omantel", Ip, default));
        Assert.StartsWith("dynadot api status 500: ", e.Message);
        Assert.DoesNotContain(fake.Key, e.Message);
        Assert.DoesNotContain(fake.Secret, e.Message);
    }

    [Theory]
    [InlineData("customer.example")]
    [InlineData("evil.omani.works")]
    [InlineData("")]
    public async Task ADomainOutsideTheAllowlistNeverReachesDynadot(string domain)
    {
        var e = await Assert.ThrowsAsync<DnsRefusedException>(() => Dns().PublishAsync(domain, "omantel", Ip, default));
        Assert.Equal($"DOMAIN \"{domain}\" is not in the managed-domain allowlist; refusing to write records", e.Message);
        await Assert.ThrowsAsync<DnsRefusedException>(() => Dns().UnpublishAsync(domain, "omantel", default));
        Assert.Empty(fake.Calls);
    }

    [Theory]
    [InlineData("Bad_Label", Ip, "SUBDOMAIN")]
    [InlineData("omantel", "not-an-ip", "LB_IP")]
    [InlineData("omantel", "", "LB_IP")]
    public async Task InvalidInputIsRefusedWithoutACall(string sub, string ip, string named)
    {
        var e = await Assert.ThrowsAsync<DnsRefusedException>(() => Dns().PublishAsync(Pool, sub, ip, default));
        Assert.StartsWith(named, e.Message);
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public async Task MissingCredentialsAreNamed()
    {
        var e = await Assert.ThrowsAsync<DnsRefusedException>(() => Dns(new DynadotAccount(null)).PublishAsync(Pool, "omantel", Ip, default));
        Assert.Equal("DYNADOT_API_KEY and DYNADOT_API_SECRET must be set", e.Message);
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public async Task UnpublishRemovesOursAndKeepsEveryOtherRecordExactly()
    {
        var zone = fake.AddZone(Pool);
        zone.Ttl = "3600";
        zone.Main.AddRange([new("", "A", "198.51.100.1"), new("", "MX", "mx1.mail.net", "10"), new("", "TXT", "v=spf1 include:mail.net ~all")]);
        zone.Sub.AddRange([new("www", "CNAME", "omani.works"), new("_dmarc", "TXT", "v=DMARC1; p=none"), new("other", "A", "198.51.100.9"),
            new("omantel2", "A", "198.51.100.10"), new("mail", "MX", "mx2.mail.net", "20")]);
        var before = (Main: zone.Main.ToList(), Sub: zone.Sub.ToList());
        await Dns().PublishAsync(Pool, "omantel", Ip, default);

        var outcome = await Dns().UnpublishAsync(Pool, "omantel", default);

        Assert.Equal(OmantelHosts.Select(h => $"{h}.{Pool}"), outcome.Removed);
        var after = fake.ZoneOf(Pool);
        Assert.Equal(before.Main, after.Main);
        Assert.Equal(before.Sub, after.Sub);
        Assert.Equal("3600", after.Ttl);
        // The rewrite is the one documented call without the append flag.
        var replaces = fake.CallsOf("set_dns2").Where(c => c["add_dns_to_current_setting"] is null).ToList();
        Assert.Single(replaces);
    }

    [Fact]
    public async Task UnpublishWithNothingOfOursLeftWritesNothing()
    {
        fake.AddZone(Pool).Sub.Add(new FakeDynadot.Record("www", "A", "198.51.100.1"));
        var outcome = await Dns().UnpublishAsync(Pool, "omantel", default);
        Assert.Empty(outcome.Removed);
        Assert.Empty(fake.CallsOf("set_dns2"));
    }

    [Fact]
    public async Task ASovereignsRecordsDoNotTouchAnotherSovereignsInTheSamePool()
    {
        fake.AddZone(Pool);
        await Dns().PublishAsync(Pool, "alpha", Ip, default);
        await Dns().PublishAsync(Pool, "beta", "203.0.113.8", default);
        await Dns().UnpublishAsync(Pool, "alpha", default);

        Assert.Equal(7, fake.ZoneOf(Pool).Sub.Count);
        Assert.All(fake.ZoneOf(Pool).Sub, r => Assert.Equal("203.0.113.8", r.Value));
    }

    /// <summary>The lock's contract without storage; the blob lease itself is tested on Azurite.</summary>
    sealed class InProcessZoneLock : IZoneLock
    {
        readonly SemaphoreSlim gate = new(1, 1);

        public async Task<IAsyncDisposable> AcquireAsync(string domain, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            return new Release(gate);
        }

        sealed class Release(SemaphoreSlim gate) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                gate.Release();
                return ValueTask.CompletedTask;
            }
        }
    }
}
