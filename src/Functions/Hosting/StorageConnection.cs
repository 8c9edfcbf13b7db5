using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Catalyst.Domain.Configuration;
using Microsoft.Extensions.Configuration;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// The one storage account everything lives in (<c>AzureWebJobsStorage</c>, as in Functions). Checked before
/// anything starts: a malformed value or an account that does not answer stops the process within seconds
/// with a message naming the setting, instead of a host that hangs in engine retries.
/// </summary>
public sealed class StorageConnection
{
    public const string SettingName = "AzureWebJobsStorage";
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    StorageConnection(string setting, string connectionString, BlobServiceClient blobs, QueueServiceClient queues,
        TableServiceClient tables)
    {
        Setting = setting;
        ConnectionString = connectionString;
        Blobs = blobs;
        Queues = queues;
        Tables = tables;
    }

    /// <summary>The setting this connection was read from (errors name it).</summary>
    public string Setting { get; }
    public string ConnectionString { get; }
    public BlobServiceClient Blobs { get; }
    public QueueServiceClient Queues { get; }
    public TableServiceClient Tables { get; }

    public static StorageConnection FromConfiguration(IConfiguration configuration) =>
        Parse(configuration[SettingName] is { Length: > 0 } value ? value : DevelopmentStorage);

    /// <summary>
    /// A connection named by host.json's <c>storageProvider:connectionName</c>: the setting itself or
    /// <c>ConnectionStrings:{name}</c>, as the Functions host resolves it. Only AzureWebJobsStorage has a default.
    /// </summary>
    public static StorageConnection FromConfiguration(IConfiguration configuration, string settingName) =>
        settingName.Equals(SettingName, StringComparison.OrdinalIgnoreCase) ? FromConfiguration(configuration)
        : Parse(configuration[settingName] is { Length: > 0 } value ? value
            : configuration.GetConnectionString(settingName) is { Length: > 0 } named ? named
            : throw new SettingException(settingName,
                "is not set, but host.json's durableTask storageProvider:connectionName names it"), settingName);

    public static StorageConnection Parse(string connectionString, string setting = SettingName)
    {
        try
        {
            return new StorageConnection(
                setting,
                connectionString,
                new BlobServiceClient(connectionString),
                new QueueServiceClient(connectionString),
                new TableServiceClient(connectionString));
        }
        catch (Exception e)
            when (e is FormatException or ArgumentException or InvalidOperationException or UriFormatException)
        {
            // The message never echoes the value: it holds the account key.
            throw new SettingException(setting,
                $"is not a valid storage connection string ({e.GetType().Name}: {e.Message.Split('\n')[0]})", e);
        }
    }

    /// <summary>Asks each service once, without retries; throws a
    /// <see cref="SettingException"/> naming the setting.</summary>
    public async Task ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        // Separate clients without retries: the app's own clients
        // retry, which is what turns a dead endpoint into a hang.
        var blobs = new BlobServiceClient(ConnectionString, WithoutRetries(new BlobClientOptions()));
        var queues = new QueueServiceClient(ConnectionString, WithoutRetries(new QueueClientOptions()));
        var tables = new TableServiceClient(ConnectionString, WithoutRetries(new TableClientOptions()));
        var probes = new (string Service, Uri Endpoint, Func<CancellationToken, Task> Call)[]
        {
            ("blob", blobs.Uri, ct => blobs.GetPropertiesAsync(ct)),
            ("queue", queues.Uri, ct => queues.GetPropertiesAsync(ct)),
            ("table", tables.Uri, ct => tables.GetPropertiesAsync(ct)),
        };
        foreach (var (service, endpoint, call) in probes)
        {
            try
            {
                await call(cts.Token);
            }
            catch (Exception e) when (e is not SettingException)
            {
                var reason = cts.IsCancellationRequested ? $"no answer within {timeout.TotalSeconds:0.#}s"
                    : e.Message.Split('\n')[0];
                throw new SettingException(Setting,
                    $"the {service} service at {endpoint.GetLeftPart(UriPartial.Path)} is not usable: {reason}", e);
            }
        }
    }

    static T WithoutRetries<T>(T options) where T : ClientOptions
    {
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        return options;
    }
}
