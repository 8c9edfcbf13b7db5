using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Catalyst.Domain.Store;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>Searches every blob, table entity and queue message in Azurite, and the app's log, for secret values (DESIGN §4).</summary>
public static class SecretScan
{
    public static async Task<string> BearerOfAsync(AzuriteServer azurite, string id) =>
        (await new Vault(new BlobServiceClient(azurite.ConnectionString), Convert.FromBase64String(AppProcess.TestVaultKey))
            .GetStringAsync(id, VaultEntries.KubeconfigBearer))!;

    public static async Task<string[]> SecretsOfAsync(AzuriteServer azurite, string id) =>
    [
        WizardBodies.HetznerToken, WizardBodies.ObjectStorageSecret, WizardBodies.GhcrToken, WizardBodies.HarborToken,
        WizardBodies.PowerDnsKey, "fake-dynadot-secret-0001", AppProcess.TestVaultKey, await BearerOfAsync(azurite, id),
    ];

    public static async Task AssertNoPlaintextAsync(AzuriteServer azurite, string appLog, IReadOnlyList<string> secrets)
    {
        var found = new List<string>();
        void Check(string where, string text)
        {
            foreach (var secret in secrets)
                if (text.Contains(secret, StringComparison.Ordinal)) found.Add($"{where} contains {secret[..4]}…");
        }

        Check("app log", appLog);
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            var client = blobs.GetBlobContainerClient(container.Name);
            await foreach (var blob in client.GetBlobsAsync())
            {
                var content = (await client.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
                Check($"blob {container.Name}/{blob.Name}", Encoding.UTF8.GetString(content));
            }
        }
        var tables = new TableServiceClient(azurite.ConnectionString);
        await foreach (var table in tables.QueryAsync())
            await foreach (var entity in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
                Check($"table {table.Name}", string.Join("|", entity.Select(kv => kv.Value?.ToString())));
        var queues = new QueueServiceClient(azurite.ConnectionString);
        await foreach (var queue in queues.GetQueuesAsync())
            foreach (var message in (await queues.GetQueueClient(queue.Name).PeekMessagesAsync(32)).Value)
            {
                var text = message.Body.ToString();
                Check($"queue {queue.Name}", text);
                try { Check($"queue {queue.Name} (base64)", Encoding.UTF8.GetString(Convert.FromBase64String(text))); }
                catch (FormatException) { }
            }
        Assert.True(found.Count == 0, "secrets in plaintext: " + string.Join("; ", found.Distinct()));
    }
}
