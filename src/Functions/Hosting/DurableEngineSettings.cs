using Catalyst.Domain.Configuration;
using DurableTask.AzureStorage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// The Durable Task engine settings for standalone mode, read from the same place the Functions host reads
/// them: host.json's <c>extensions:durableTask</c>, overridable by <c>AzureFunctionsJobHost__extensions__durableTask__*</c>
/// app settings. The defaults are chosen for latency and recovery (DESIGN §2): events are noticed within a
/// second, and work held by a killed process reappears within a minute instead of five.
/// </summary>
public sealed record DurableEngineSettings(
    string HubName,
    int PartitionCount,
    TimeSpan MaxQueuePollingInterval,
    TimeSpan ControlQueueVisibilityTimeout,
    TimeSpan WorkItemQueueVisibilityTimeout,
    int MaxConcurrentActivities,
    int MaxConcurrentOrchestrations,
    TimeSpan LeaseInterval)
{
    public const string Section = "AzureFunctionsJobHost:extensions:durableTask";

    public static DurableEngineSettings From(IConfiguration configuration)
    {
        var durable = configuration.GetSection(Section);
        var storage = durable.GetSection("storageProvider");
        var settings = new DurableEngineSettings(
            HubName: durable["hubName"] is { Length: > 0 } hub ? hub : "catalyst",
            PartitionCount: Int(storage, "partitionCount", 4, 1, 16),
            MaxQueuePollingInterval: Span(storage, "maxQueuePollingInterval", TimeSpan.FromSeconds(1)),
            ControlQueueVisibilityTimeout: Span(storage, "controlQueueVisibilityTimeout", TimeSpan.FromMinutes(1)),
            // 20 s: both hosts renew a running activity's lock (standalone every third of this, the Durable extension
            // every 5 s below 30 s), so only a dead replica's work waits it out — recovery after a kill mid-apply in
            // well under 30 s (issue 21). Orchestration work items are short and keep a minute.
            WorkItemQueueVisibilityTimeout: Span(storage, "workItemQueueVisibilityTimeout", TimeSpan.FromSeconds(20)),
            MaxConcurrentActivities: Int(durable, "maxConcurrentActivityFunctions", 32, 1, 100),
            MaxConcurrentOrchestrations: Int(durable, "maxConcurrentOrchestratorFunctions", 64, 1, 1000),
            // Not a host.json key: only standalone's engine exposes it. A gracefully stopped host releases its
            // leases at once; this bounds how long a killed host's partitions stay unowned.
            LeaseInterval: Settings.Duration(k => configuration[k], "CATALYST_DURABLE_LEASE_INTERVAL", TimeSpan.FromSeconds(15)));

        if (!IsValidHubName(settings.HubName))
            throw new SettingException($"{Section}:hubName", $"'{settings.HubName}' must be 3-45 letters or digits, starting with a letter");
        return settings;
    }

    public static bool IsValidHubName(string name) =>
        name.Length is >= 3 and <= 45 && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);

    public AzureStorageOrchestrationServiceSettings ToEngineSettings(string connectionString, ILoggerFactory loggerFactory) => new()
    {
        TaskHubName = HubName,
        StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
        PartitionCount = PartitionCount,
        MaxQueuePollingInterval = MaxQueuePollingInterval,
        ControlQueueVisibilityTimeout = ControlQueueVisibilityTimeout,
        WorkItemQueueVisibilityTimeout = WorkItemQueueVisibilityTimeout,
        MaxConcurrentTaskActivityWorkItems = MaxConcurrentActivities,
        MaxConcurrentTaskOrchestrationWorkItems = MaxConcurrentOrchestrations,
        LeaseInterval = LeaseInterval,
        LeaseRenewInterval = LeaseInterval / 3,
        LeaseAcquireInterval = LeaseInterval / 3,
        LoggerFactory = loggerFactory,
        CustomMessageTypeBinder = new ProtobufTypeBinder(),
        // As the Functions host's Durable extension: a start refused by its dedupe statuses fails loudly instead of
        // reporting success for an instance it never created (WorkflowInstances.StartUnlessActiveAsync re-checks).
        ThrowExceptionOnInvalidDedupeStatus = true,
    };

    // Errors name the full key (e.g. AzureFunctionsJobHost:extensions:durableTask:storageProvider:partitionCount).
    static int Int(IConfigurationSection section, string key, int fallback, int min, int max) =>
        Settings.Int(_ => section[key], $"{section.Path}:{key}", fallback, min, max);

    static TimeSpan Span(IConfigurationSection section, string key, TimeSpan fallback) =>
        Settings.Duration(_ => section[key], $"{section.Path}:{key}", fallback);
}
