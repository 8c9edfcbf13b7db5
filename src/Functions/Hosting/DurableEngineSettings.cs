using Catalyst.Domain.Configuration;
using DurableTask.AzureStorage;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// The Durable Task engine settings for standalone mode, read from the same place the Functions host reads
/// them: host.json's <c>extensions:durableTask</c>, overridable by
/// <c>AzureFunctionsJobHost__extensions__durableTask__*</c> app settings. The defaults are chosen for latency and
/// recovery (DESIGN §2): events are noticed within a second, and work held by a killed process reappears within a
/// minute instead of five. Standalone honours every key it accepts and refuses to start on any other (issue 19): a key
/// only the Functions host's extension understood would let the two modes drift apart — onto different task hubs or
/// connections — without an error. tests/FunctionsMode.Tests compares what this builds with what the extension builds.
/// </summary>
public sealed record DurableEngineSettings(
    string HubName,
    string ConnectionName,
    int PartitionCount,
    TimeSpan MaxQueuePollingInterval,
    TimeSpan ControlQueueVisibilityTimeout,
    TimeSpan WorkItemQueueVisibilityTimeout,
    int ControlQueueBufferThreshold,
    int MaxConcurrentActivities,
    int MaxConcurrentOrchestrations,
    TimeSpan LeaseInterval,
    OrchestrationVersioning Versioning)
{
    public const string Section = "AzureFunctionsJobHost:extensions:durableTask";

    /// <summary>The host.json keys (under <see cref="Section"/>)
    /// standalone implements; any other stops the start.</summary>
    public static readonly IReadOnlySet<string> HonouredKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "hubName", "maxConcurrentActivityFunctions", "maxConcurrentOrchestratorFunctions",
        // Standalone always shuts down the ordered way (drain, then stop); the key is accepted for either value.
        "useGracefulShutdown",
        "defaultVersion", "versionMatchStrategy", "versionFailureStrategy",
        "storageProvider:type", "storageProvider:connectionName", "storageProvider:connectionStringName",
        "storageProvider:partitionCount", "storageProvider:maxQueuePollingInterval",
        "storageProvider:controlQueueVisibilityTimeout", "storageProvider:workItemQueueVisibilityTimeout",
        "storageProvider:controlQueueBufferThreshold",
    };

    public static DurableEngineSettings From(IConfiguration configuration)
    {
        var durable = configuration.GetSection(Section);
        RefuseUnknownKeys(durable);
        var storage = durable.GetSection("storageProvider");
        if (storage["type"] is { Length: > 0 } type && !type.Equals("AzureStorage", StringComparison.OrdinalIgnoreCase))
            throw new SettingException($"{storage.Path}:type",
                $"'{type}' is not supported: standalone runs the AzureStorage engine only");
        var settings = new DurableEngineSettings(
            HubName: durable["hubName"] is { Length: > 0 } hub ? hub : "catalyst",
            // As the extension: connectionName (or its older alias connectionStringName) names the setting holding the
            // engine's connection; AzureWebJobsStorage when absent. The app's own blobs stay on AzureWebJobsStorage.
            ConnectionName: storage["connectionName"] is { Length: > 0 } name ? name
                : storage["connectionStringName"] is { Length: > 0 } alias ? alias : StorageConnection.SettingName,
            PartitionCount: Int(storage, "partitionCount", 4, 1, 16),
            MaxQueuePollingInterval: Span(storage, "maxQueuePollingInterval", TimeSpan.FromSeconds(1)),
            ControlQueueVisibilityTimeout: Span(storage, "controlQueueVisibilityTimeout", TimeSpan.FromMinutes(1)),
            // 20 s: both hosts renew a running activity's lock (standalone every third of this, the Durable extension
            // every 5 s below 30 s), so only a dead replica's work waits it out — recovery after a kill mid-apply in
            // well under 30 s (issue 21). Orchestration work items are short and keep a minute.
            WorkItemQueueVisibilityTimeout: Span(storage, "workItemQueueVisibilityTimeout", TimeSpan.FromSeconds(20)),
            // The extension's default outside a consumption plan (KEDA is not one); the bare engine's is 64.
            ControlQueueBufferThreshold: Int(storage, "controlQueueBufferThreshold", 256, 1, 1000),
            MaxConcurrentActivities: Int(durable, "maxConcurrentActivityFunctions", 32, 1, 100),
            MaxConcurrentOrchestrations: Int(durable, "maxConcurrentOrchestratorFunctions", 64, 1, 1000),
            // Not a host.json key: only standalone's engine exposes it. A gracefully stopped host releases its
            // leases at once; this bounds how long a killed host's partitions stay unowned.
            LeaseInterval: Settings.Duration(k => configuration[k], "CATALYST_DURABLE_LEASE_INTERVAL",
                TimeSpan.FromSeconds(15)),
            Versioning: OrchestrationVersioning.From(durable));

        if (!IsValidHubName(settings.HubName))
            throw new SettingException($"{Section}:hubName",
                $"'{settings.HubName}' must be 3-45 letters or digits, starting with a letter");
        return settings;
    }

    static void RefuseUnknownKeys(IConfigurationSection durable)
    {
        foreach (var (key, value) in durable.AsEnumerable(makePathsRelative: true))
        {
            if (value is null) continue; // a section, not a key
            if (!HonouredKeys.Contains(key))
                throw new SettingException($"{Section}:{key}",
                    "standalone mode does not implement this Durable setting; remove it, or "
                    + "run under the Functions host (the two modes must not run one task hub with different settings)");
        }
    }

    public static bool IsValidHubName(string name) =>
        name.Length is >= 3 and <= 45 && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);

    public AzureStorageOrchestrationServiceSettings ToEngineSettings(string connectionString,
        ILoggerFactory loggerFactory) => new()
    {
        TaskHubName = HubName,
        StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
        PartitionCount = PartitionCount,
        MaxQueuePollingInterval = MaxQueuePollingInterval,
        ControlQueueVisibilityTimeout = ControlQueueVisibilityTimeout,
        WorkItemQueueVisibilityTimeout = WorkItemQueueVisibilityTimeout,
        ControlQueueBufferThreshold = ControlQueueBufferThreshold,
        MaxConcurrentTaskActivityWorkItems = MaxConcurrentActivities,
        MaxConcurrentTaskOrchestrationWorkItems = MaxConcurrentOrchestrations,
        // Entities are not used; these match the extension for a dotnet-isolated app outside a consumption plan so the
        // settings-parity test has nothing to explain...
        MaxConcurrentTaskEntityWorkItems = 10 * Environment.ProcessorCount,
        MaxEntityOperationBatchSize = 5000,
        // ...but this one: with it on, the engine hands orchestration work items only to a caller of its entity-aware
        // API, which the in-process sidecar is not, and no orchestration ever ran (tried). It only splits the engine's
        // in-memory ready queue, not storage, so the two modes still share a hub.
        UseSeparateQueueForEntityWorkItems = false,
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

/// <summary>
/// host.json's orchestration versioning keys, honoured by both hosts (the Durable extension reads the same keys):
/// new instances are stamped with <c>defaultVersion</c>; a worker runs only instances whose version its match strategy
/// accepts, and a refused work item is abandoned for another worker (<c>Reject</c>) — so during a rolling update an old
/// replica never runs an instance a newer replica started. See README, "Rolling updates".
/// </summary>
public sealed record OrchestrationVersioning(string DefaultVersion,
    DurableTaskWorkerOptions.VersionMatchStrategy MatchStrategy,
    DurableTaskWorkerOptions.VersionFailureStrategy FailureStrategy)
{
    public static OrchestrationVersioning From(IConfigurationSection durable) => new(
        durable["defaultVersion"] ?? "",
        Parse(durable, "versionMatchStrategy", DurableTaskWorkerOptions.VersionMatchStrategy.None),
        Parse(durable, "versionFailureStrategy", DurableTaskWorkerOptions.VersionFailureStrategy.Reject));

    public void Apply(DurableTaskWorkerOptions options)
    {
        options.Versioning = new DurableTaskWorkerOptions.VersioningOptions
        {
            Version = DefaultVersion,
            DefaultVersion = DefaultVersion,
            MatchStrategy = MatchStrategy,
            FailureStrategy = FailureStrategy,
        };
    }

    static T Parse<T>(IConfigurationSection section, string key, T fallback) where T : struct, Enum =>
        section[key] is not { Length: > 0 } text ? fallback
        : Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) ? value
        : throw new SettingException($"{section.Path}:{key}",
            $"'{text}' is not one of {string.Join(", ", Enum.GetNames<T>())}");
}
