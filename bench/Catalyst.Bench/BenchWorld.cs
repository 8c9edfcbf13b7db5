using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Catalyst.Testing;

namespace Catalyst.Bench;

/// <summary>
/// An Azurite of its own (in memory, or on disk with fixed ports when a suite restarts it), the fake cloud, and the
/// host under test. Settings are the tests' (engine timings short so a killed host's work comes back in seconds).
/// </summary>
public sealed class BenchWorld : IAsyncDisposable
{
    readonly string? dataDirectory;

    BenchWorld(AzuriteServer azurite, FakeSovereignCloud cloud, string? dataDirectory)
    {
        Azurite = azurite;
        Cloud = cloud;
        this.dataDirectory = dataDirectory;
        Settings = cloud.AppSettings(azurite, null, AppProcess.UniqueHubName("bench"));
        foreach (var (key, value) in OverrideSettings()) Settings[key] = value;
    }

    const string OverridePrefix = "BENCH_APP_";

    static IEnumerable<(string Key, string Value)> OverrideSettings() =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith(OverridePrefix, StringComparison.Ordinal)).Order()
            .Select(k => (k[OverridePrefix.Length..], Environment.GetEnvironmentVariable(k)!));

    /// <summary>", with X=Y, …" naming the settings a run overrode,
    /// so a figure says what it was measured with.</summary>
    public static string Overrides() =>
        OverrideSettings().Any()
            ? ", with " + string.Join(", ", OverrideSettings().Select(o => $"{o.Key}={o.Value}")) : "";

    public AzuriteServer Azurite { get; private set; }
    public FakeSovereignCloud Cloud { get; }
    public Dictionary<string, string?> Settings { get; }
    public AppProcess? App { get; private set; }
    public HttpClient Http => App!.Http;

    public static string HostDll => RepoPaths.BuildOutput("tests/TestHost", "Catalyst.TestHost.dll");

    public static async Task<BenchWorld> StartAsync(bool persistentStorage = false)
    {
        var cloud = await FakeSovereignCloud.StartAsync();
        var data = persistentStorage ? Path.Combine(cloud.Root, "azurite") : null;
        return new BenchWorld(await AzuriteServer.StartAsync(data), cloud, data);
    }

    public async Task<AppProcess> StartAppAsync()
    {
        App = AppProcess.Start(HostDll, Settings);
        await App.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        return App;
    }

    public async Task RestartAzuriteAsync(bool kill = false) =>
        Azurite = await Azurite.RestartAsync(dataDirectory
            ?? throw new InvalidOperationException("in-memory Azurite cannot restart"), kill);

    public async Task<string> CreateAsync(string sub, string? idempotencyKey = null)
    {
        using var response = await WizardBodies.PostAsync(Http, WizardBodies.Valid(sub), idempotencyKey);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST answered {(int)response.StatusCode}: {json}");
        return json!["id"]!.GetValue<string>();
    }

    public async Task<List<JsonObject>> ListAsync() =>
        (await Http.GetFromJsonAsync<JsonObject>("/api/v1/deployments?limit=200"))!["items"]!.AsArray()
            .Select(i => i!.AsObject()).ToList();

    /// <summary>Polls the list until every given deployment is done (ready
    /// or failed) or the time is up; returns the last list.</summary>
    public async Task<Dictionary<string, JsonObject>> WaitAllDoneAsync(IReadOnlyCollection<string> ids,
        TimeSpan timeout, Action<int>? progress = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = new Dictionary<string, JsonObject>();
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = (await ListAsync()).Where(i => ids.Contains(i["id"]!.GetValue<string>()))
                    .ToDictionary(i => i["id"]!.GetValue<string>());
                var done = last.Values.Count(i => i["status"]!.GetValue<string>() is "ready" or "failed");
                progress?.Invoke(done);
                if (done == ids.Count) return last;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The host may be restarting under a fault run.
            }
            await Task.Delay(500);
        }
        return last;
    }

    public static string StatusOf(JsonObject item) => item["status"]!.GetValue<string>();

    public async ValueTask DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        await Cloud.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
