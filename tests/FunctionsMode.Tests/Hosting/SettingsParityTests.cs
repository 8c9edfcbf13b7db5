using Catalyst.Domain.Configuration;
using Catalyst.Functions.Hosting;
using Catalyst.Functions.Orchestrations;
using Catalyst.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Catalyst.FunctionsMode.Tests.Hosting;

/// <summary>
/// Issue 19: the repository's host.json, read by the Functions host's own Durable extension and by standalone,
/// gives one engine. Every property of the engine settings is compared; the ones that differ are listed here with
/// the reason, and the test fails when the list is wrong either way (a new difference, or one that went away).
/// </summary>
public class SettingsParityTests
{
    const string Storage = "UseDevelopmentStorage=true";

    /// <summary>The differences that remain on purpose.</summary>
    static readonly Dictionary<string, string> Expected = new()
    {
        // The extension has no host.json key for partition leases and keeps the engine's 30 s. Standalone takes 15 s
        // (CATALYST_DURABLE_LEASE_INTERVAL): a killed standalone replica's partitions are taken over in about 15 s.
        // Both are the same protocol on the same lease blobs, so replicas of the two modes still share a hub safely.
        ["LeaseInterval"] = "ext=00:00:30 std=00:00:15",
        ["LeaseRenewInterval"] = "ext=00:00:10 std=00:00:05",
        ["LeaseAcquireInterval"] = "ext=00:00:10 std=00:00:05",
        // The extension sets it for dotnet-isolated apps (entities get their own in-memory queue). Standalone's
        // in-process sidecar only asks the engine's plain IOrchestrationService API, which with this on hands out no
        // orchestration work at all (tried: no orchestration ran). It is not a storage layout: the hub is shared alike.
        ["UseSeparateQueueForEntityWorkItems"] = "ext=True std=False",
    };

    static ConfigurationManager HostJson(params (string Key, string? Value)[] overrides)
    {
        var manager = new ConfigurationManager();
        manager.AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = Storage });
        HostConfiguration.AddFunctionsSources(manager, RepoPaths.Root);
        manager.AddInMemoryCollection(overrides.Select(o => new KeyValuePair<string, string?>(o.Key, o.Value)));
        return manager;
    }

    static Dictionary<string, string> Differences(IConfiguration configuration)
    {
        var ext = ExtensionSettings.Describe(ExtensionSettings.Build(configuration));
        var std = ExtensionSettings.Describe(DurableEngineSettings.From(configuration).ToEngineSettings(Storage, NullLoggerFactory.Instance));
        Assert.Equal(ext.Keys.Order(), std.Keys.Order());
        return ext.Keys.Where(k => ext[k] != std[k]).ToDictionary(k => k, k => $"ext={ext[k]} std={std[k]}");
    }

    [Fact]
    public void TheRepositoryHostJsonGivesBothHostsTheSameEngineButForTheListedDifferences()
    {
        Assert.Equal(Expected.OrderBy(e => e.Key), Differences(HostJson()).OrderBy(e => e.Key));
    }

    [Fact]
    public void TheExtensionsDefaultsAreStandalonesDefaultsToo()
    {
        // An operator's override reaches both alike (the app setting form the Functions host reads).
        var differences = Differences(HostJson(
            ("AzureFunctionsJobHost:extensions:durableTask:storageProvider:partitionCount", "2"),
            ("AzureFunctionsJobHost:extensions:durableTask:storageProvider:controlQueueBufferThreshold", "100"),
            ("AzureFunctionsJobHost:extensions:durableTask:maxConcurrentActivityFunctions", "8")));
        Assert.Equal(Expected.OrderBy(e => e.Key), differences.OrderBy(e => e.Key));
    }

    [Fact]
    public void BothHostsReadTheConnectionNameTheSameWay()
    {
        var configuration = HostJson(
            ("AzureFunctionsJobHost:extensions:durableTask:storageProvider:connectionName", "CatalystDurable"),
            ("CatalystDurable", "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFr4Mqj+8xz3b9zXRUkQ==;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:2/devstoreaccount1;TableEndpoint=http://127.0.0.1:3/devstoreaccount1;"));
        ExtensionSettings.Build(configuration, out _, out var extensionConnection);
        var standalone = DurableEngineSettings.From(configuration);
        Assert.Equal("CatalystDurable", extensionConnection);
        Assert.Equal(extensionConnection, standalone.ConnectionName);
        var engineStorage = StorageConnection.FromConfiguration(configuration, standalone.ConnectionName);
        Assert.Equal("http://127.0.0.1:2/devstoreaccount1", engineStorage.Queues.Uri.ToString().TrimEnd('/'));
    }

    [Fact]
    public void BothHostsReadTheVersioningAndShutdownKeysAlike()
    {
        ExtensionSettings.Build(HostJson(), out var options, out _);
        var standalone = DurableEngineSettings.From(HostJson()).Versioning;
        Assert.Equal(OrchestrationVersion.Current, options.DefaultVersion);
        Assert.Equal(options.DefaultVersion, standalone.DefaultVersion);
        Assert.Equal(options.VersionMatchStrategy.ToString(), standalone.MatchStrategy.ToString());
        Assert.Equal(options.VersionFailureStrategy.ToString(), standalone.FailureStrategy.ToString());
        Assert.Equal("CurrentOrOlder", standalone.MatchStrategy.ToString());
        Assert.Equal("Reject", standalone.FailureStrategy.ToString());
        // Functions mode: the host waits for running functions on shutdown; standalone always does (DrainableEngine).
        Assert.True(options.UseGracefulShutdown);
    }

    [Theory]
    [InlineData("storageProvider:controlQueueBatchSize", "16")]
    [InlineData("extendedSessionsEnabled", "true")]
    [InlineData("maxOrchestrationActions", "1000")]
    [InlineData("storeInputsInOrchestrationHistory", "true")]
    public void StandaloneRefusesADurableKeyItDoesNotHonour(string key, string value)
    {
        var e = Assert.Throws<SettingException>(() => DurableEngineSettings.From(HostJson(($"AzureFunctionsJobHost:extensions:durableTask:{key}", value))));
        Assert.Equal($"AzureFunctionsJobHost:extensions:durableTask:{key}", e.Setting);
        // ...while the Functions host's extension takes it: the refusal is standalone's, so the modes cannot drift.
        ExtensionSettings.Build(HostJson(($"AzureFunctionsJobHost:extensions:durableTask:{key}", value)));
    }

    [Fact]
    public void StandaloneRefusesAnotherStorageProvider()
    {
        var e = Assert.Throws<SettingException>(() => DurableEngineSettings.From(HostJson(("AzureFunctionsJobHost:extensions:durableTask:storageProvider:type", "mssql"))));
        Assert.EndsWith("storageProvider:type", e.Setting);
    }

    [Fact]
    public void EveryKeyStandaloneHonoursIsOneTheExtensionKnows()
    {
        var optionNames = typeof(Microsoft.Azure.WebJobs.Extensions.DurableTask.DurableTaskOptions).GetProperties().Select(p => p.Name)
            .Concat(typeof(Microsoft.Azure.WebJobs.Extensions.DurableTask.AzureStorageOptions).GetProperties().Select(p => "storageProvider:" + p.Name))
            .Append("storageProvider:type")
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.All(DurableEngineSettings.HonouredKeys, key => Assert.Contains(key, optionNames));
    }
}
