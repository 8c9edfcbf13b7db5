using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Catalyst.Sandbox;
using Catalyst.Testing;

// `./scripts/run.sh --sandbox`: starts loopback fakes for everything outside Catalyst (tofu, the new cluster's
// Kubernetes API, Dynadot, Hetzner), starts the app in sandbox mode against them, provisions one pool Sovereign
// through the public HTTP API, prints its progress until it is ready, and keeps the service running until Ctrl-C.
// Storage: AzureWebJobsStorage from the environment (run.sh starts Azurite), else an Azurite of our own.

using var stop = new CancellationTokenSource();
// The port is chosen before anything starts, so the console's address is the first thing printed: open it and watch.
var port = FreePortFrom(int.TryParse(Environment.GetEnvironmentVariable("PORT"), out var p) ? p : 8080);
Console.WriteLine($"console: http://127.0.0.1:{port}/  (open it to watch the sandbox Sovereign come up)");
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });

var root = Path.Combine(RepoPaths.Root, ".data", "sandbox");
var storage = Environment.GetEnvironmentVariable("AzureWebJobsStorage");
await using var ownAzurite = string.IsNullOrEmpty(storage)
    ? await AzuriteServer.StartAsync(Path.Combine(root, "azurite")) : null;
await using var cloud = await FakeSovereignCloud.StartAsync(root);
// The bootstrap kit installs over about 20 s from the first poll, a component every few seconds.
string[] kit = ["bp-cilium", "bp-cert-manager", "bp-flux", "bp-sealed-secrets", "bp-gitea", "bp-keycloak",
    "bp-harbor", "bp-console"];
for (var i = 0; i < kit.Length; i++)
    cloud.Kubernetes.With(kit[i], new FakeHelmReleaseApi.Step(TimeSpan.Zero, null),
        new FakeHelmReleaseApi.Step(TimeSpan.FromSeconds(1 + i * 2), "Unknown", "Progressing",
            "Reconciliation in progress"),
        new FakeHelmReleaseApi.Step(TimeSpan.FromSeconds(5 + i * 2.1), "True", "InstallSucceeded",
            $"Helm install succeeded for release flux-system/{kit[i]}"));

var settings = cloud.AppSettings(ownAzurite, storage, AppProcess.UniqueHubName("sandbox"));
settings["CATALYST_TOFU_BACKEND_URL"] = $"http://127.0.0.1:{port}";
settings["CATALYST_API_PUBLIC_URL"] = $"http://127.0.0.1:{port}";
settings["DOTNET_ENVIRONMENT"] = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Development";
settings["CATALYST_DATA_DIR"] = Environment.GetEnvironmentVariable("CATALYST_DATA_DIR")
    ?? Path.Combine(RepoPaths.Root, ".data");
// The handover signer on (its key generated in the sandbox folder), so a ready Sovereign shows its one-time link.
settings["CATALYST_HANDOVER_KEY_PATH"] = Path.Combine(root, "handover-jwt-private.pem");

Console.WriteLine(
    $"sandbox: fakes up (Kubernetes {cloud.Kubernetes.BaseUrl}, Dynadot {cloud.Dynadot.Url}, " +
    $"Hetzner {cloud.Hetzner.Url}); files in {root}");
await using var app = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"),
    settings, port);
try
{
    await app.WaitHealthyAsync();
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException)
{
    Console.Error.WriteLine($"sandbox: the app did not start: {e.Message}");
    return 1;
}
Console.WriteLine(
    $"sandbox: Catalyst (sandbox mode) on http://127.0.0.1:{app.Port}; app log in {Path.Combine(root, "app.log")}");

var sub = $"sandbox-{Guid.NewGuid().ToString("N")[..6]}";
using var created = await WizardBodies.PostAsync(app.Http, WizardBodies.Valid(sub));
var answer = await created.Content.ReadFromJsonAsync<JsonObject>();
if (!created.IsSuccessStatusCode)
{
    Console.Error.WriteLine($"sandbox: POST /api/v1/deployments answered {(int)created.StatusCode}: {answer}");
    return 1;
}
var id = answer!["id"]!.GetValue<string>();
Console.WriteLine(
    $"sandbox: POST /api/v1/deployments → {(int)created.StatusCode}, deployment {id} " +
    $"for {sub}.{FakeSovereignCloud.PoolDomain}");
Console.WriteLine($"console: http://127.0.0.1:{app.Port}/#/deployments/{id}");

var progress = new SandboxProgress(Console.Out);
try
{
    await StreamAsync(app.Http, id, progress, stop.Token);
    Console.WriteLine(
        $"sandbox: the service keeps running; its console is http://127.0.0.1:{app.Port}/ (this Sovereign: " +
        $"#/deployments/{id}); Ctrl-C stops everything.");
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
finally
{
    await File.WriteAllTextAsync(Path.Combine(root, "app.log"), app.Output);
}
Console.WriteLine("sandbox: stopping the app and the fakes");
app.Terminate();
await app.WaitForExitAsync(TimeSpan.FromSeconds(20));
return 0;

// The stream ends with "event: done" and the final state; a dropped connection resumes from the last event id.
static async Task StreamAsync(HttpClient http, string id, SandboxProgress progress, CancellationToken ct)
{
    var last = "";
    while (true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deployments/{id}/logs");
        if (last.Length > 0) request.Headers.Add("Last-Event-ID", last);
        using var stream = new HttpClient { BaseAddress = http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var response = await stream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var done = false;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal)) last = line[4..];
            else if (line == "event: done") done = true;
            else if (line.StartsWith("data: ", StringComparison.Ordinal)
                && JsonNode.Parse(line[6..]) is JsonObject data)
            {
                if (done)
                {
                    progress.Done(data);
                    return;
                }
                if (data["phase"] is not null) progress.Event(data);
                else if (data["mintURL"]?.GetValue<string>() is { } mint)
                {
                    // The stream says where to mint the link, as the console does; the link itself is never streamed.
                    using var minted = await http.PostAsync(mint, null, ct);
                    var link = JsonNode.Parse(await minted.Content.ReadAsStringAsync(ct));
                    Console.WriteLine(minted.IsSuccessStatusCode
                        ? $"  handover link (one-time, valid 5 minutes): {link?["redirectURL"]}"
                        : $"  handover link not minted: {(int)minted.StatusCode} {link?["error"]}");
                }
            }
            else if (line.Length == 0 && !done) continue;
        }
    }
}

// PORT if it is free, else the next free one above it: a second sandbox next to a running service still starts.
static int FreePortFrom(int port)
{
    for (var candidate = port; candidate < port + 100; candidate++)
        if (!FreePort.Answers(candidate)) return candidate;
    return FreePort.Next();
}
