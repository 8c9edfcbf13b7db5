using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>
/// Everything a provision touches, faked at the process or HTTP boundary (DESIGN §8): the tofu binary (which
/// plays cloud-init by PUTting the kubeconfig), the Sovereign's Kubernetes API, Dynadot and Hetzner; the app
/// itself is the real standalone host on the shared Azurite, with its own task hub.
/// </summary>
public sealed class ProvisioningWorld : IAsyncDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("catalyst-e2e-").FullName;

    ProvisioningWorld(AzuriteServer azurite, FakeHelmReleaseApi kubernetes)
    {
        Azurite = azurite;
        Kubernetes = kubernetes;
        Dynadot.AddZone("omani.works");
        File.WriteAllText(KubeconfigFile, kubernetes.Kubeconfig());
        Settings = AppProcess.TestSettings(azurite, AppProcess.UniqueHubName("e2e"));
        foreach (var (k, v) in WizardBodies.OperatorSettings) Settings[k] = v;
        Settings["CATALYST_TOFU_BINARY"] = FakeTofuBinary.Create(root);
        Settings["CATALYST_TOFU_MODULE_PATH"] = Path.Combine(RepoPaths.Root, "infra", "hetzner");
        Settings["CATALYST_TOFU_WORKDIR"] = Path.Combine(root, "work");
        Settings["CATALYST_PHASE1_WATCH_CHECK_IN"] = "10s";
        Settings["CATALYST_PHASE1_KUBECONFIG_ARRIVAL_TIMEOUT"] = "2m";
        Settings["DYNADOT_API_KEY"] = Dynadot.Key;
        Settings["DYNADOT_API_SECRET"] = Dynadot.Secret;
        Settings["CATALYST_DYNADOT_BASE_URL"] = Dynadot.Url;
        Settings["CATALYST_HETZNER_API_BASE_URL"] = Hetzner.Url;
        Settings["FAKE_TOFU_JOURNAL"] = Journal;
        Settings["FAKE_TOFU_PIDS"] = TofuPids;
        Settings["FAKE_TOFU_KUBECONFIG_FILE"] = KubeconfigFile;
        Settings["FAKE_TOFU_POSTBACK_URL"] = "backend";
        // Every cloud here is a loopback fake, the new cluster's API too: only a sandbox may reach a loopback kubeconfig server (issue 15).
        Settings["CATALYST_SANDBOX"] = "true";
        Settings.TryAdd("CATALYST_OBJECT_STORAGE_ENDPOINT_TEMPLATE", "http://127.0.0.1:9");
    }

    public AzuriteServer Azurite { get; }
    public FakeHelmReleaseApi Kubernetes { get; }
    public FakeDynadot Dynadot { get; } = new();
    public FakeHetzner Hetzner { get; } = new(WizardBodies.HetznerToken);
    public Dictionary<string, string?> Settings { get; }
    public string Journal => Path.Combine(root, "tofu-journal.log");
    public string KubeconfigFile => Path.Combine(root, "kubeconfig.yaml");
    /// <summary>One line per tofu command the fake started: "pid command".</summary>
    public string TofuPids => Path.Combine(root, "tofu-pids.log");
    public AppProcess? App { get; private set; }

    public static async Task<ProvisioningWorld> CreateAsync() =>
        new(await AzuriteServer.Shared, await FakeHelmReleaseApi.StartAsync());

    /// <param name="testHost">The test host (tests/TestHost): the same app plus probe endpoints (GET /probe/{id} shows any
    /// instance's engine status) and the fault seams its TEST_FAULT_* settings switch on.</param>
    public async Task<AppProcess> StartAppAsync(bool testHost = false)
    {
        App = AppProcess.Start(testHost ? RepoPaths.BuildOutput("tests/TestHost", "Catalyst.TestHost.dll") : RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), Settings);
        await App.WaitHealthyAsync();
        return App;
    }

    public async Task<string> CreateDeploymentAsync(string sub, Action<JsonObject>? change = null)
    {
        var body = WizardBodies.Valid(sub);
        change?.Invoke(body);
        using var response = await WizardBodies.PostAsync(App!.Http, body);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST answered {(int)response.StatusCode}: {json}");
        return json!["id"]!.GetValue<string>();
    }

    public async Task<JsonObject> StateAsync(string id) => (await App!.Http.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}"))!;

    public async Task<JsonObject> WaitForStatusAsync(string id, string status, TimeSpan? timeout = null)
    {
        try
        {
            return await Wait.ForAsync(async () => await StateAsync(id) is var s && s["status"]!.GetValue<string>() == status ? s : null,
                timeout ?? TimeSpan.FromSeconds(120), $"deployment {id} to be {status}", TimeSpan.FromMilliseconds(250));
        }
        catch (TimeoutException e)
        {
            var events = string.Join("\n", (await EventsAsync(id)).TakeLast(15).Select(ev => $"{ev["phase"]} {ev["level"]} {ev["message"]}"));
            var log = string.Join("\n", App!.Output.Split('\n').Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("rror")).TakeLast(20));
            throw new TimeoutException($"{e.Message}\nstate: {await StateAsync(id)}\nlast events:\n{events}\napp errors:\n{log}", e);
        }
    }

    public async Task<List<JsonObject>> EventsAsync(string id) =>
        (await App!.Http.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}/events"))!["events"]!.AsArray().Select(e => e!.AsObject()).ToList();

    /// <summary>The engine's view of an instance (test host only): its runtime status, or null when there is none.</summary>
    public async Task<string?> EngineStatusAsync(string instanceId)
    {
        using var response = await App!.Http.GetAsync($"/probe/{instanceId}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>();
    }

    public string[] JournalLines() => File.Exists(Journal) ? File.ReadAllLines(Journal) : [];

    /// <summary>The pids of the tofu processes started for <paramref name="command"/>, oldest first.</summary>
    public List<int> TofuPidsOf(string command) => File.Exists(TofuPids)
        ? File.ReadAllLines(TofuPids).Where(l => l.EndsWith(" " + command, StringComparison.Ordinal)).Select(l => int.Parse(l.Split(' ')[0])).ToList()
        : [];

    /// <summary>Waits until the running apply has created <paramref name="count"/> resources (its state written each time).</summary>
    public Task WaitForCreationsAsync(string id, int count) =>
        Wait.UntilAsync(() => EventsAsync(id).Result.Count(e => e["message"]!.GetValue<string>().Contains("Creation complete")) >= count,
            TimeSpan.FromSeconds(90), $"{count} resource(s) to be created");

    public async ValueTask DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        await Kubernetes.DisposeAsync();
        Dynadot.Dispose();
        Hetzner.Dispose();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }

    /// <summary>The Sovereign's bootstrap kit as the scenarios use it.</summary>
    public static readonly string[] Kit = ["bp-cilium", "bp-cert-manager", "bp-flux", "bp-keycloak"];
}
