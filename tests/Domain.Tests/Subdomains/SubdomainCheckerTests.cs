using Azure.Storage.Blobs;
using Catalyst.Domain.Dns;
using Catalyst.Domain.Subdomains;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Subdomains;

/// <summary>Reference A.6: managed pools answer from reservations, customer domains from DNS (F "subdomains_test").</summary>
public class SubdomainCheckerTests
{
    sealed class FakeResolver(HostLookup result, string? error = null) : IHostResolver
    {
        public List<string> Asked { get; } = [];

        public Task<(HostLookup Result, string? Error)> LookupAsync(string fqdn, CancellationToken cancellationToken)
        {
            Asked.Add(fqdn);
            return Task.FromResult((result, error));
        }
    }

    sealed class FakeZone : IPoolZoneReader
    {
        public List<ZoneRecord> Records { get; } = [];
        public Exception? Fails { get; set; }

        public Task<IReadOnlyList<ZoneRecord>?> RecordsUnderAsync(string poolDomain, string label, CancellationToken cancellationToken) =>
            Fails is { } e ? Task.FromException<IReadOnlyList<ZoneRecord>?>(e)
                : Task.FromResult<IReadOnlyList<ZoneRecord>?>(Records.Where(r => r.Host == label || r.Host.EndsWith("." + label, StringComparison.Ordinal)).ToList());
    }

    static readonly FakeZone NoRecords = new();

    static async Task<(SubdomainChecker Checker, SubdomainReservations Store, FakeResolver Resolver, ManualClock Clock)> CheckerAsync(HostLookup dns = HostLookup.Exists, string? error = null)
    {
        var blobs = new BlobServiceClient((await AzuriteServer.Shared).ConnectionString);
        var clock = new ManualClock();
        var store = new SubdomainReservations(blobs, TimeSpan.FromMinutes(30), clock, "chk" + Guid.NewGuid().ToString("N")[..20]);
        var resolver = new FakeResolver(dns, error);
        return (new SubdomainChecker(ManagedDomains.Of("omani.works"), store, resolver, ReservedSubdomains.Of("console"), NoRecords), store, resolver, clock);
    }

    [Theory]
    [InlineData("1abc")]
    [InlineData("a_b")]
    [InlineData("")]
    [InlineData("-x")]
    public async Task InvalidLabel(string sub)
    {
        var (checker, _, resolver, _) = await CheckerAsync();
        Assert.Equal(new SubdomainAvailability(false, "invalid-format", "subdomain must be a-z, 0-9 and hyphens, start with a letter, max 63 characters"),
            await checker.CheckAsync(sub, "omani.works", default));
        Assert.Empty(resolver.Asked);
    }

    [Fact]
    public async Task ManagedPoolIgnoresDnsAndAnswersFromReservations()
    {
        // DNS says everything exists (Dynadot's wildcard parking): a managed pool must not care.
        var (checker, store, resolver, clock) = await CheckerAsync(HostLookup.Exists);
        Assert.Equal(new SubdomainAvailability(true, Fqdn: "free.omani.works"), await checker.CheckAsync(" Free ", "OMANI.works", default));

        await store.ReserveAsync("omani.works", "taken", "aaaaaaaaaaaaaaaa", default);
        var reserved = await checker.CheckAsync("taken", "omani.works", default);
        Assert.Equal((false, "reserved", "taken.omani.works"), (reserved.Available, reserved.Reason, reserved.Fqdn));

        await store.CommitAsync("omani.works", "taken", "aaaaaaaaaaaaaaaa", default);
        Assert.Equal("active-state", (await checker.CheckAsync("taken", "omani.works", default)).Reason);

        await store.ReserveAsync("omani.works", "lapsing", "bbbbbbbbbbbbbbbb", default);
        clock.Advance(TimeSpan.FromMinutes(31));
        Assert.True((await checker.CheckAsync("lapsing", "omani.works", default)).Available);
        Assert.Empty(resolver.Asked);
    }

    [Theory]
    [InlineData(HostLookup.NotFound, true, null)]
    [InlineData(HostLookup.Exists, false, "exists")]
    [InlineData(HostLookup.Failed, false, "lookup-error")]
    public async Task CustomerDomainAsksDns(HostLookup dns, bool available, string? reason)
    {
        var (checker, _, resolver, _) = await CheckerAsync(dns, "server failure");
        var answer = await checker.CheckAsync("app", "customer.com", default);
        Assert.Equal((available, reason, "app.customer.com"), (answer.Available, answer.Reason, answer.Fqdn));
        if (dns == HostLookup.Failed) Assert.Equal("DNS lookup failed: server failure", answer.Detail);
        Assert.Equal(["app.customer.com"], resolver.Asked);
    }

    [Fact]
    public async Task ABlankPoolIsTheCallersMistake()
    {
        var (checker, _, resolver, _) = await CheckerAsync();
        Assert.Equal("invalid-format", (await checker.CheckAsync("app", "", default)).Reason);
        Assert.Empty(resolver.Asked);
    }

    [Fact]
    public async Task ReservationsThatDoNotAnswerAreATransientAnswerNotAnError()
    {
        var azurite = await AzuriteServer.Shared;
        var dead = azurite.ConnectionString.Replace($":{azurite.BlobPort}/", $":{FreePort.Next()}/");
        var blobs = new BlobServiceClient(dead, new BlobClientOptions { Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(10) } });
        var checker = new SubdomainChecker(ManagedDomains.Of("omani.works"), new SubdomainReservations(blobs, TimeSpan.FromMinutes(30)), new FakeResolver(HostLookup.NotFound),
            ReservedSubdomains.Of("console"), NoRecords);
        var answer = await checker.CheckAsync("app", "omani.works", default);
        Assert.Equal((false, "pdm-unavailable", "app.omani.works"), (answer.Available, answer.Reason, answer.Fqdn));
    }

    [Fact]
    public async Task AReservedLabelIsUnavailableWhateverTheReservationsSay()
    {
        var (checker, _, _, _) = await CheckerAsync();
        Assert.Equal(new SubdomainAvailability(false, "reserved", ReservedSubdomains.Detail, "console.omani.works"),
            await checker.CheckAsync(" Console ", "omani.works", default));
        // Only in managed pools: a customer's own console.example.com is theirs to use.
        Assert.Equal("exists", (await checker.CheckAsync("console", "customer.example", default)).Reason);
    }

    [Fact]
    public async Task RecordsAtOrUnderALabelThatNoReservationHoldsMakeItUnavailable()
    {
        var blobs = new BlobServiceClient((await AzuriteServer.Shared).ConnectionString);
        var store = new SubdomainReservations(blobs, TimeSpan.FromMinutes(30), null, "chk" + Guid.NewGuid().ToString("N")[..20]);
        var zone = new FakeZone();
        zone.Records.AddRange([new ZoneRecord("shop", "CNAME", "shops.example"), new ZoneRecord("mail.legacy", "MX", "mx.example", "10")]);
        var checker = new SubdomainChecker(ManagedDomains.Of("omani.works"), store, new FakeResolver(HostLookup.NotFound), ReservedSubdomains.Of(), zone);

        Assert.Equal(new SubdomainAvailability(false, "reserved", SubdomainChecker.ForeignRecordsDetail, "shop.omani.works"), await checker.CheckAsync("shop", "omani.works", default));
        Assert.Equal("reserved", (await checker.CheckAsync("legacy", "omani.works", default)).Reason);
        Assert.True((await checker.CheckAsync("shopping", "omani.works", default)).Available);

        // A live reservation answers first: its Sovereign's own records are expected under its name.
        await store.ReserveAsync("omani.works", "shop", "aaaaaaaaaaaaaaaa", default);
        await store.CommitAsync("omani.works", "shop", "aaaaaaaaaaaaaaaa", default);
        Assert.Equal("active-state", (await checker.CheckAsync("shop", "omani.works", default)).Reason);

        zone.Fails = new DynadotException(DynadotFailure.Unavailable, "dynadot api unreachable");
        Assert.Equal("pdm-unavailable", (await checker.CheckAsync("other", "omani.works", default)).Reason);
    }
}
