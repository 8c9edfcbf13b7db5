using Catalyst.Domain.Creation;
using Catalyst.Functions.Hosting;
using Catalyst.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Catalyst.Functions.Tests.Hosting;

/// <summary>
/// Issue 20: every settings type is registered one way (<see cref="SettingsRegistration.AddSettings"/>) and checked by
/// <see cref="StartupChecks"/> before either host serves. A malformed value of each stops the start with one line naming
/// the variable; both hosts call the same <see cref="StartupChecks.Pass"/> on the same <c>AddCatalyst</c> services, so
/// this in-process check covers both (StandaloneProcessTests proves it end to end for the standalone process).
/// </summary>
public sealed class StartupChecksTests
{
    /// <summary>One malformed value per settings type (by type name), and the variable the one line must name.</summary>
    public static readonly TheoryData<string, string, string> Malformed = new()
    {
        { "SandboxMode", "CATALYST_SANDBOX", "perhaps" },
        { "VaultKey", "CATALYST_VAULT_KEY", "not-base64!" },
        { "ProvisionSettings", "CATALYST_PHASE1_KUBECONFIG_ARRIVAL_TIMEOUT", "soon" },
        { "WatchSettings", "CATALYST_PHASE1_WATCH_CHECK_IN", "ten seconds" },
        { "WatchSharing", "CATALYST_PHASE1_WATCH_LEASE", "5m" },
        { "EventLogOptions", "CATALYST_EVENTS_MAX_PER_DEPLOYMENT", "0" },
        // Read in session mode only (sign-in off means no owners to limit); see SessionMode below.
        { "InProgressLimit", "CATALYST_MAX_DEPLOYMENTS_IN_PROGRESS_PER_OWNER", "many" },
        { "WipeSettings", "CATALYST_WIPE_WAIT", "-1s" },
        { "HistorySettings", "CATALYST_HISTORY_RETENTION", "forever" },
        { "OrphanSweepSettings", "CATALYST_ORPHAN_SWEEP", "every hour" },
        { "OrphanSweepSettings", "CATALYST_ORPHAN_SWEEP_DELETE", "perhaps" },
        { "DynadotEndpoint", "CATALYST_DYNADOT_BASE_URL", "ftp://dynadot.example" },
        { "HetznerEndpoint", "CATALYST_HETZNER_API_BASE_URL", "not a url" },
        { "ObjectStorageEndpoint", "CATALYST_OBJECT_STORAGE_ENDPOINT_TEMPLATE", "not a url" },
        { "ReservationSettings", "CATALYST_SUBDOMAIN_RESERVATION_TTL", "0s" },
        { "ReservedSubdomains", "CATALYST_RESERVED_SUBDOMAINS", "not_a_label!" },
        { "TofuSettings", "CATALYST_TOFU_TIMEOUT", "-5m" },
        { "TofuSettings", "CATALYST_TOFU_MAX_PARALLEL", "0" },
        { "ClusterCacheOptions", "CATALYST_K8SCACHE_QPS", "fast" },
        { "StreamLimits", "CATALYST_SSE_MAX_TOTAL", "lots" },
        { "SseSettings", "CATALYST_SSE_MAX_DURATION", "forever" },
        { "AuthSettings", "CATALYST_AUTH_MODE", "sometimes" },
    };

    /// <summary>Settings types made of free text only: no value of theirs is malformed.</summary>
    static readonly IReadOnlyDictionary<string, string> CannotBeMalformed = new Dictionary<string, string>
    {
        ["OperatorSecrets"] = "tokens are opaque text; a missing one is refused per deployment (DeploymentValidator)",
        ["ManagedDomains"] = "a free list of domains; the defaults apply when empty",
        ["DynadotAccount"] = "both or nothing; absence is legal on a Sovereign (seed, issue #547)",
    };

    static Dictionary<string, string?> Valid() => new()
    {
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["CATALYST_AUTH_MODE"] = "off",
        ["CATALYST_VAULT_KEY"] = AppProcess.TestVaultKey,
    };

    static ServiceProvider Services(Dictionary<string, string?> values) =>
        new ServiceCollection().AddLogging().AddCatalyst(new ConfigurationBuilder().AddInMemoryCollection(values).Build()).BuildServiceProvider();

    [Theory]
    [MemberData(nameof(Malformed))]
    public void AMalformedSettingStopsTheStartWithOneLineNamingIt(string type, string setting, string value)
    {
        var values = Valid();
        if (type == "InProgressLimit")
        {
            // Session mode with the simplest identity source: an authenticating proxy's header.
            values["CATALYST_AUTH_MODE"] = "session";
            values["CATALYST_TRUSTED_IDENTITY_HEADER"] = "X-Forwarded-Email";
        }
        values[setting] = value;
        using var services = Services(values);
        var log = new LinesLogger();

        Assert.False(StartupChecks.Pass(services, log), $"{setting}={value} passed the start-up checks");
        var line = Assert.Single(log.Lines, l => l.Level >= LogLevel.Error);
        Assert.StartsWith("Cannot start: ", line.Text);
        Assert.Contains(setting, line.Text);
        Assert.DoesNotContain('\n', line.Text);
    }

    [Fact]
    public void ValidSettingsPassEveryRegisteredCheck()
    {
        using var services = Services(Valid());
        services.GetRequiredService<IStartupValidator>().Validate();
    }

    /// <summary>No hand-kept list to forget: each type registered through AddSettings is validated, and each has a case above.</summary>
    [Fact]
    public void EverySettingsTypeIsValidatedAtStartAndHasAMalformedCase()
    {
        var registered = new ServiceCollection().AddLogging().AddCatalyst(new ConfigurationBuilder().AddInMemoryCollection(Valid()).Build())
            .Where(d => d.ServiceType.IsConstructedGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IOptionsFactory<>))
            .Select(d => d.ServiceType.GetGenericArguments()[0].Name)
            .ToHashSet();
        var covered = Malformed.Select(row => (string)row[0]).Concat(CannotBeMalformed.Keys).ToHashSet();

        Assert.Empty(registered.Except(covered));
        Assert.Empty(covered.Except(registered));
    }

    sealed class LinesLogger : ILogger
    {
        public List<(LogLevel Level, string Text)> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
