using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using Catalyst.Domain.Tofu;
using Catalyst.Testing;

namespace Catalyst.Tofu.Tests.EndToEnd;

/// <summary>The real app in standalone mode on Azurite, serving the tofu state backend, with a known vault key.</summary>
public sealed class AppFixture : IAsyncLifetime
{
    readonly byte[] vaultKey = RandomNumberGenerator.GetBytes(32);
    AppProcess? app;

    public AppProcess App => app ?? throw new InvalidOperationException("not started");
    public TofuBackendCredentials Credentials => new(vaultKey);
    public BlobServiceClient Blobs { get; private set; } = null!;
    public string BaseUrl => $"http://127.0.0.1:{App.Port}";

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteServer.Shared;
        Blobs = new BlobServiceClient(azurite.ConnectionString);
        var settings = AppProcess.TestSettings(azurite, AppProcess.UniqueHubName("tofu"));
        settings["CATALYST_VAULT_KEY"] = Convert.ToBase64String(vaultKey);
        app = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings);
        await app.WaitHealthyAsync();
    }

    public TofuBackend Backend(string deploymentId) => Credentials.BackendFor(deploymentId, BaseUrl);

    public HttpRequestMessage Request(HttpMethod method, string path, string? user = null, string? password = null, string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (user is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary>Every blob of the tofu-state container, with its metadata, as one text to search for secrets.</summary>
    public async Task<string> AllTofuStateStorageAsync()
    {
        var text = new StringBuilder();
        var container = Blobs.GetBlobContainerClient(TofuStateStore.ContainerName);
        await foreach (var blob in container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Traits = Azure.Storage.Blobs.Models.BlobTraits.Metadata }))
        {
            text.AppendLine(blob.Name);
            foreach (var (key, value) in blob.Metadata)
                text.AppendLine($"{key}={value}={Encoding.UTF8.GetString(TryBase64(value))}");
            text.AppendLine((await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString());
        }
        return text.ToString();
    }

    static byte[] TryBase64(string value)
    {
        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    public async Task DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}
