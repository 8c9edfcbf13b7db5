using System.Collections.Concurrent;
using Catalyst.Domain.Dns;
using Catalyst.Functions.Activities;
using Catalyst.Functions.Hosting;
using Catalyst.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Tests.Activities;

/// <summary>
/// PublishDns and UnpublishDns as the app wires them (AddCatalyst: typed client, resilience handler, blob zone lock
/// on Azurite) against a fake Dynadot.
/// </summary>
public sealed class DnsActivitiesTests : IAsyncLifetime
{
    const string Pool = "omani.works";
    readonly FakeDynadot fake = new();
    readonly CapturedLogs logs = new();
    ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = (await AzuriteServer.Shared).ConnectionString,
            ["DYNADOT_MANAGED_DOMAINS"] = "omani.works, openova.io",
            ["DYNADOT_API_KEY"] = fake.Key,
            ["DYNADOT_API_SECRET"] = fake.Secret,
            ["CATALYST_DYNADOT_BASE_URL"] = fake.Url,
        }).Build();
        services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(logs))
            .AddCatalyst(configuration)
            .AddTransient<PublishDnsActivity>()
            .AddTransient<UnpublishDnsActivity>()
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        fake.Dispose();
    }

    Task<PublishDnsResult> Publish(string sub, string ip = "203.0.113.7", string pool = Pool) =>
        services.GetRequiredService<PublishDnsActivity>().RunAsync(null!, new PublishDnsInput("0123456789abcdef", pool, sub, ip));

    Task<UnpublishDnsResult> Unpublish(string sub, string pool = Pool) =>
        services.GetRequiredService<UnpublishDnsActivity>().RunAsync(null!, new UnpublishDnsInput("0123456789abcdef", pool, sub));

    [Fact]
    public async Task PublishThenARetryThenUnpublish()
    {
        var zone = fake.AddZone(Pool);
        zone.Main.Add(new FakeDynadot.Record("", "MX", "mx1.mail.net", "10"));
        zone.Sub.Add(new FakeDynadot.Record("www", "CNAME", "omani.works"));

        var first = await Publish("omantel");
        Assert.Equal("omantel.omani.works", first.Fqdn);
        Assert.Equal(7, first.Added.Count);
        var retried = await Publish("omantel");
        Assert.Equal((0, 7), (retried.Added.Count, retried.AlreadyPresent.Count));
        Assert.All(fake.CallsOf("set_dns2"), c => Assert.Equal("yes", c["add_dns_to_current_setting"]));

        var removed = await Unpublish("omantel");
        Assert.Equal(7, removed.Removed.Count);
        Assert.Equal([new FakeDynadot.Record("", "MX", "mx1.mail.net", "10")], fake.ZoneOf(Pool).Main);
        Assert.Equal([new FakeDynadot.Record("www", "CNAME", "omani.works")], fake.ZoneOf(Pool).Sub);
        Assert.Empty((await Unpublish("omantel")).Removed);
    }

    [Fact]
    public async Task ANonManagedPoolFailsTheActivityBeforeAnyDynadotCall()
    {
        var e = await Assert.ThrowsAsync<DnsRefusedException>(() => Publish("omantel", pool: "customer.com"));
        Assert.Contains("not in the managed-domain allowlist", e.Message);
        await Assert.ThrowsAsync<DnsRefusedException>(() => Unpublish("omantel", pool: "customer.com"));
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public async Task AReadThatFailsOnceIsRetriedByTheHttpLayer()
    {
        fake.AddZone(Pool);
        var failures = 1;
        fake.Intercept = q => q["command"] == "get_dns" && Interlocked.Decrement(ref failures) >= 0 ? (503, "busy") : null;
        var result = await Publish("retry");
        Assert.Equal(7, result.Added.Count);
        Assert.Equal(2, fake.CallsOf("get_dns").Count);
    }

    [Fact]
    public async Task AWriteThatFailsIsNotRepeatedByTheHttpLayerAndFailsTheActivityWithDynadotsAnswer()
    {
        fake.AddZone(Pool);
        fake.Intercept = q => q["command"] == "set_dns2" ? (503, "maintenance") : null;
        var e = await Assert.ThrowsAsync<DynadotException>(() => Publish("nowrite"));
        Assert.Equal("dynadot api status 503: maintenance", e.Message);
        Assert.Single(fake.CallsOf("set_dns2"));
    }

    [Fact]
    public async Task CredentialsNeverReachTheLogs()
    {
        fake.AddZone(Pool);
        fake.Intercept = q => q["command"] == "set_dns2" ? (400, $"bad request key={q["key"]}") : null;
        await Assert.ThrowsAsync<DynadotException>(() => Publish("logged"));
        fake.Intercept = null;
        await Publish("logged2");
        Assert.NotEmpty(logs.Lines);
        Assert.DoesNotContain(logs.Lines, l => l.Contains(fake.Key) || l.Contains(fake.Secret));
    }

    sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        sealed class Logger(CapturedLogs sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
