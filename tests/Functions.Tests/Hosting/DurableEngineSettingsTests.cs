using Catalyst.Domain.Configuration;
using Catalyst.Functions.Hosting;
using Catalyst.Testing;
using Microsoft.Extensions.Configuration;

namespace Catalyst.Functions.Tests.Hosting;

public class DurableEngineSettingsTests
{
    static IConfiguration RepoHostJson(params (string Key, string Value)[] overrides)
    {
        var manager = new ConfigurationManager();
        manager.AddInMemoryCollection(overrides.Select(o => new KeyValuePair<string, string?>(o.Key, o.Value)));
        HostConfiguration.AddFunctionsSources(manager, RepoPaths.Root);
        return manager;
    }

    [Fact]
    public void ReadsTheRepositoryHostJson()
    {
        var settings = DurableEngineSettings.From(RepoHostJson());
        Assert.Equal("catalyst", settings.HubName);
        Assert.Equal(4, settings.PartitionCount);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.MaxQueuePollingInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.WorkItemQueueVisibilityTimeout);
        Assert.Equal((32, 64), (settings.MaxConcurrentActivities, settings.MaxConcurrentOrchestrations));
    }

    [Fact]
    public void AppSettingsOverrideHostJsonAsInTheFunctionsHost()
    {
        var settings = DurableEngineSettings.From(RepoHostJson(
            ("AzureFunctionsJobHost:extensions:durableTask:hubName", "other7"),
            ("AzureFunctionsJobHost:extensions:durableTask:storageProvider:partitionCount", "2")));
        Assert.Equal("other7", settings.HubName);
        Assert.Equal(2, settings.PartitionCount);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("7catalyst")]
    [InlineData("cata-lyst")]
    public void InvalidHubNamesAreRefused(string hub)
    {
        var e = Assert.Throws<SettingException>(() => DurableEngineSettings.From(RepoHostJson(("AzureFunctionsJobHost:extensions:durableTask:hubName", hub))));
        Assert.Contains("hubName", e.Setting);
    }

    [Fact]
    public void MalformedDurationNamesTheFullKey()
    {
        var e = Assert.Throws<SettingException>(() => DurableEngineSettings.From(RepoHostJson(
            ("AzureFunctionsJobHost:extensions:durableTask:storageProvider:maxQueuePollingInterval", "soon"))));
        Assert.Equal("AzureFunctionsJobHost:extensions:durableTask:storageProvider:maxQueuePollingInterval", e.Setting);
    }
}
