using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Catalyst.Testing;

namespace Catalyst.Console.Tests;

/// <summary>
/// A sandboxed app (every cloud a loopback fake, FakeSovereignCloud) on the shared Azurite, as `run.sh --sandbox` runs it,
/// with a short bootstrap kit whose components install one after another over a few seconds.
/// </summary>
public sealed class SandboxConsole : IAsyncDisposable
{
    public static readonly string[] Kit = ["bp-cilium", "bp-cert-manager", "bp-flux", "bp-gitea", "bp-keycloak", "bp-console"];

    /// <summary>The kit's components as the timeline names them (the HelmRelease name without its "bp-").</summary>
    public static IEnumerable<string> Components => Kit.Select(k => k[3..]);

    SandboxConsole(FakeSovereignCloud cloud, Dictionary<string, string?> settings)
    {
        Cloud = cloud;
        Settings = settings;
    }

    public FakeSovereignCloud Cloud { get; }
    public Dictionary<string, string?> Settings { get; }
    public AppProcess App { get; private set; } = null!;
    public string Url => $"http://127.0.0.1:{App.Port}";

    public static async Task<SandboxConsole> CreateAsync(TimeSpan? step = null)
    {
        var cloud = await FakeSovereignCloud.StartAsync();
        var each = step ?? TimeSpan.FromSeconds(1.5);
        for (var i = 0; i < Kit.Length; i++)
            cloud.Kubernetes.With(Kit[i], new FakeHelmReleaseApi.Step(TimeSpan.Zero, null),
                new FakeHelmReleaseApi.Step(each * (i + 1), "Unknown", "Progressing", "Reconciliation in progress"),
                new FakeHelmReleaseApi.Step(each * (i + 2), "True", "InstallSucceeded", $"Helm install succeeded for release flux-system/{Kit[i]}"));
        var settings = cloud.AppSettings(await AzuriteServer.Shared, null, AppProcess.UniqueHubName("console"));
        settings["CATALYST_HANDOVER_KEY_PATH"] = Path.Combine(cloud.Root, "handover-jwt-private.pem");
        return new SandboxConsole(cloud, settings);
    }

    public async Task<AppProcess> StartAsync()
    {
        App = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), Settings);
        await App.WaitHealthyAsync();
        return App;
    }

    public async Task<JsonObject> StateAsync(string id) => (await App.Http.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}"))!;

    public async ValueTask DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        await Cloud.DisposeAsync();
    }
}
