using Catalyst.Domain.Dns;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Dns;

/// <summary>Publishing and removing a pool Sovereign's records against a fake Dynadot (reference C.3, F "dynadot").</summary>
public sealed class SovereignDnsTests : IDisposable
{
    const string Pool = "omani.works";
    const string Ip = "203.0.113.7";
    const string Id = "0123456789abcdef";
    readonly FakeDynadot fake = new();
    readonly HttpClient http = new();
    readonly InMemoryLedger ledger = new();

    public void Dispose()
    {
        http.Dispose();
        fake.Dispose();
    }

    SovereignDns Dns(DynadotAccount? account = null) =>
        new(new DynadotClient(http, new DynadotEndpoint(new Uri(fake.Url))), ManagedDomains.Of(Pool, "openova.io"),
            account ?? new DynadotAccount(new DynadotCredentials(fake.Key, fake.Secret)), new InProcessZoneLock(), ledger,
            Catalyst.Domain.Dns.ReservedSubdomains.Of("console", "www"));

    static readonly string[] OmantelHosts = ["*.omantel", "console.omantel", "gitea.omantel", "harbor.omantel", "admin.omantel", "api.omantel", "omantel"];

    [Fact]
    public async Task PublishWritesTheRecordSetWithTtlAndNeverWithoutTheAppendFlag()
    {
        fake.AddZone(Pool);
        var outcome = await Dns().PublishAsync(Id, Pool, "omantel", Ip, default);

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
        await Dns().PublishAsync(Id, Pool, "omantel", Ip, default);
        var again = await Dns().PublishAsync(Id, Pool, "omantel", Ip, default);

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
        var outcome = await Dns().PublishAsync(Id, Pool, "omantel", Ip, default);

        Assert.Equal(5, outcome.Added.Count);
        Assert.Equal(["*.omantel.omani.works", "console.omantel.omani.works"], outcome.AlreadyPresent);
        Assert.Equal(5, fake.CallsOf("set_dns2").Count);
    }

    [Fact]
    public async Task ANameOfOursPointingElsewhereStopsThePublishBeforeAnyWrite()
    {
        fake.AddZone(Pool).Sub.Add(new FakeDynadot.Record("api.omantel", "A", "198.51.100.1"));
        var e = await Assert.ThrowsAsync<DnsRefusedException>(() => Dns().PublishAsync(Id, Pool, "omantel", Ip, default));
        Assert.Contains("api.omantel.omani.works A 198.51.100.1", e.Message);
        Assert.Empty(fake.CallsOf("set_dns2"));
    }

    [Fact]
    public async Task ADynadotErrorFailsWithItsMessage()
    {
        fake.AddZone(Pool);
        fake.Intercept = q => q["command"] == "set_dns2" ? (200, """{"SetDnsResponse":{"ResponseCode":"-1","Status":"error","Error":"record limit reached"}}""") : null;
        var e = await Assert.ThrowsAsync<DynadotException>(() => Dns().PublishAsync(Id, Pool, "omantel", Ip, default));

        Assert.Equal("dynadot api error: code=-1 status=error err=record limit reached", e.Message);
        Assert.Single(fake.CallsOf("set_dns2")); // fails fast on the first error
    }

    [Fact]
    public async Task AnHttpErrorNeverShowsTheCredentials()
    {
        fake.AddZone(Pool);
        fake.Intercept = q => (500, $"internal error for key={q["key"]} secret={q["secret"]}");
        var e = await Assert.ThrowsAsync<DynadotException>(() => Dns().PublishAsync(Id, Pool, "omantel", Ip, default));
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
        var e = await Assert.ThrowsAsync<DnsRefusedException>(() => Dns().PublishAsync(Id, domain, "omantel", Ip, default));
        Assert.Equal($"DOMAIN \"{domain}\" is not in the managed-domain allowlist; refusing to write records", e.Message);
        await Assert.ThrowsAsync<DnsRefusedException>(() => Dns().UnpublishAsync(Id, domain, "omantel", default));
        Assert.Empty(fake.Calls);
    }

    [Theory]
    [InlineData("Bad_Label", Ip, "SUBDOMAIN")]
    [InlineData("omantel", "not-an-ip", "LB_IP")]
    [InlineData("omantel", "", "LB_IP")]
    public async Task InvalidInputIsRefusedWithoutACall(string sub, string ip, string named)
    {
        var e = await Assert.ThrowsAsync<DnsRefusedException>(() => Dns().PublishAsync(Id, Pool, sub, ip, default));
        Assert.StartsWith(named, e.Message);
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public async Task MissingCredentialsAreNamed()
    {
        var e = await Assert.ThrowsAsync<DnsRefusedException>(() => Dns(new DynadotAccount(null)).PublishAsync(Id, Pool, "omantel", Ip, default));
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
        await Dns().PublishAsync(Id, Pool, "omantel", Ip, default);

        var outcome = await Dns().UnpublishAsync(Id, Pool, "omantel", default);

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
        var outcome = await Dns().UnpublishAsync(Id, Pool, "omantel", default);
        Assert.Empty(outcome.Removed);
        Assert.Empty(fake.CallsOf("set_dns2"));
    }

    [Fact]
    public async Task ASovereignsRecordsDoNotTouchAnotherSovereignsInTheSamePool()
    {
        fake.AddZone(Pool);
        await Dns().PublishAsync("aaaaaaaaaaaaaaaa", Pool, "alpha", Ip, default);
        await Dns().PublishAsync("bbbbbbbbbbbbbbbb", Pool, "beta", "203.0.113.8", default);
        await Dns().UnpublishAsync("aaaaaaaaaaaaaaaa", Pool, "alpha", default);

        Assert.Equal(7, fake.ZoneOf(Pool).Sub.Count);
        Assert.All(fake.ZoneOf(Pool).Sub, r => Assert.Equal("203.0.113.8", r.Value));
    }

    [Fact]
    public async Task UnpublishOfADeploymentThatPublishedNothingNeitherReadsNorWritesTheZone()
    {
        // Issue 15: a deployment whose DNS step never ran used to remove whatever stood at its names.
        var zone = fake.AddZone(Pool);
        zone.Sub.AddRange([new("console.omantel", "A", "198.51.100.1"), new("omantel", "A", "198.51.100.1"), new("*.omantel", "CNAME", "elsewhere.example")]);
        var before = zone.Sub.ToList();

        var outcome = await Dns().UnpublishAsync(Id, Pool, "omantel", default);

        Assert.Empty(outcome.Removed);
        Assert.Equal(before, fake.ZoneOf(Pool).Sub);
        Assert.Empty(fake.Calls);
        Assert.Empty(ledger.Backups);
    }

    [Fact]
    public async Task UnpublishRemovesOnlyRecordsMatchingHostTypeAndValue()
    {
        fake.AddZone(Pool);
        await Dns().PublishAsync(Id, Pool, "omantel", Ip, default);
        // Added by someone else after the publish, at the Sovereign's names: same host, other value or other type.
        var foreign = new FakeDynadot.Record[] { new("console.omantel", "A", "198.51.100.77"), new("omantel", "TXT", "site-verification=abc") };
        fake.ZoneOf(Pool).Sub.AddRange(foreign);

        var outcome = await Dns().UnpublishAsync(Id, Pool, "omantel", default);

        Assert.Equal(7, outcome.Removed.Count);
        Assert.Equal(foreign, fake.ZoneOf(Pool).Sub);
        var backup = Assert.Single(ledger.Backups);
        Assert.Equal(9, backup.Sub.Count); // the zone as it was read, before the rewrite
        Assert.Empty(await ledger.PublishedAsync(Id, Pool, default));
    }

    [Fact]
    public async Task RecordsPresentBeforeThePublishAreNotListedAsOurs()
    {
        fake.AddZone(Pool).Sub.Add(new FakeDynadot.Record("console.omantel", "A", Ip));
        var outcome = await Dns().PublishAsync(Id, Pool, "omantel", Ip, default);

        Assert.Equal(["console.omantel.omani.works"], outcome.AlreadyPresent);
        Assert.DoesNotContain(await ledger.PublishedAsync(Id, Pool, default), r => r.Host == "console.omantel");
        await Dns().UnpublishAsync(Id, Pool, "omantel", default);
        Assert.Equal([new FakeDynadot.Record("console.omantel", "A", Ip)], fake.ZoneOf(Pool).Sub);
    }

    [Fact]
    public async Task AZoneThatChangesBeforeTheRewriteIsNotWrittenAndTheEditSurvives()
    {
        fake.AddZone(Pool);
        await Dns().PublishAsync(Id, Pool, "omantel", Ip, default);
        var reads = 0;
        var edit = new FakeDynadot.Record("fresh", "A", "198.51.100.5");
        // A person edits the zone in Dynadot's console between the unpublish's read and its write.
        fake.Intercept = q =>
        {
            if (q["command"] == "get_dns" && ++reads == 2) fake.ZoneOf(Pool).Sub.Add(edit);
            return null;
        };

        await Assert.ThrowsAsync<ZoneDriftException>(() => Dns().UnpublishAsync(Id, Pool, "omantel", default));
        Assert.DoesNotContain(fake.CallsOf("set_dns2"), c => c["add_dns_to_current_setting"] is null);
        Assert.Contains(edit, fake.ZoneOf(Pool).Sub);
        Assert.Single(ledger.Backups);

        // The retry starts from the new zone: ours go, the edit stays.
        var outcome = await Dns().UnpublishAsync(Id, Pool, "omantel", default);
        Assert.Equal(7, outcome.Removed.Count);
        Assert.Equal([edit], fake.ZoneOf(Pool).Sub);
        Assert.Equal(2, ledger.Backups.Count);
    }

    [Fact]
    public async Task AReservedLabelIsNeverPublished()
    {
        fake.AddZone(Pool);
        var e = await Assert.ThrowsAsync<DnsRefusedException>(() => Dns().PublishAsync(Id, Pool, "console", Ip, default));
        Assert.Contains("reserved", e.Message);
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public async Task RecordsUnderALabelAreItsOwnNameAndEveryNameBelowIt()
    {
        fake.AddZone(Pool).Sub.AddRange([new("shop", "CNAME", "x.example"), new("mail.shop", "MX", "mx.example", "10"), new("shopping", "A", Ip), new("www", "A", Ip)]);
        var records = await Dns().RecordsUnderAsync(Pool, "Shop", default);
        Assert.Equal(["shop", "mail.shop"], records!.Select(r => r.Host));
        Assert.Null(await Dns(new DynadotAccount(null)).RecordsUnderAsync(Pool, "shop", default));
    }

    /// <summary>The ledger's contract without storage; <see cref="BlobDnsLedger"/> itself is tested on Azurite.</summary>
    sealed class InMemoryLedger : IDnsLedger
    {
        readonly Dictionary<string, List<(string Pool, DnsRecord Record)>> published = [];
        public List<DynadotZone> Backups { get; } = [];

        public Task<IReadOnlyList<DnsRecord>> PublishedAsync(string deploymentId, string poolDomain, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<DnsRecord>>(published.GetValueOrDefault(deploymentId, []).Where(p => p.Pool == poolDomain).Select(p => p.Record).ToList());

        public Task AddAsync(string deploymentId, string poolDomain, IReadOnlyList<DnsRecord> records, CancellationToken cancellationToken)
        {
            var list = published.TryGetValue(deploymentId, out var l) ? l : published[deploymentId] = [];
            list.AddRange(records.Where(r => !list.Any(p => p.Pool == poolDomain && p.Record.SameAs(r))).Select(r => (poolDomain, r)));
            return Task.CompletedTask;
        }

        public Task RemoveAsync(string deploymentId, string poolDomain, IReadOnlyList<DnsRecord> records, CancellationToken cancellationToken)
        {
            if (published.TryGetValue(deploymentId, out var list)) list.RemoveAll(p => p.Pool == poolDomain && records.Any(r => r.SameAs(p.Record)));
            return Task.CompletedTask;
        }

        public Task<string> BackupAsync(string poolDomain, DynadotZone zone, string deploymentId, CancellationToken cancellationToken)
        {
            Backups.Add(zone);
            return Task.FromResult($"{poolDomain}/{Backups.Count}");
        }
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
