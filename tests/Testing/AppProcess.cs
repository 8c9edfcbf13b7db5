using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Catalyst.Testing;

/// <summary>
/// The app (or the test host built on it) as a real process in standalone mode, on a free loopback port, with
/// its own task hub in the shared Azurite. Tests kill it with SIGKILL or stop it with SIGTERM like a kubelet would.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    readonly Process process;
    readonly ConcurrentQueue<string> output = new();

    readonly TaskCompletionSource<int> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    HttpClient? http;

    AppProcess(Process process) => this.process = process;

    /// <summary>The port the app reported it listens on (it binds PORT=0, so no other process can race it to a port).</summary>
    public int Port => listening.Task.IsCompletedSuccessfully ? listening.Task.Result : throw new InvalidOperationException("not listening yet; await WaitHealthyAsync first");
    public HttpClient Http => http ??= new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) };
    public int Id => process.Id;
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;
    public string Output => string.Join('\n', output);

    /// <summary>Settings every test app gets: fast engine timings so recovery after a kill takes seconds.</summary>
    public static Dictionary<string, string?> TestSettings(AzuriteServer azurite, string hubName) => new()
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["AzureFunctionsJobHost__extensions__durableTask__hubName"] = hubName,
        ["AzureFunctionsJobHost__extensions__durableTask__storageProvider__controlQueueVisibilityTimeout"] = "00:00:05",
        ["AzureFunctionsJobHost__extensions__durableTask__storageProvider__workItemQueueVisibilityTimeout"] = "00:00:05",
        ["AzureFunctionsJobHost__extensions__durableTask__storageProvider__partitionCount"] = "2",
        ["CATALYST_DURABLE_LEASE_INTERVAL"] = "6s",
        ["CATALYST_BIND_ADDRESS"] = "127.0.0.1",
        ["CATALYST_HOST_MODE"] = "standalone",
        // Tests of provisioning speak to an open API on loopback; the auth tests set session mode themselves.
        ["CATALYST_AUTH_MODE"] = "off",
        // tofu inherits only an allowlist of the app's environment; the fake tofu's knobs are set on the app.
        ["CATALYST_TOFU_ENV_PASSTHROUGH"] = "FAKE_TOFU_*",
        ["CATALYST_VAULT_KEY"] = TestVaultKey,
        // The 5 s probe makes a wrong connection string fail a start fast; the tests' Azurite is shared by every app of a
        // 2-core run and once took longer than that to answer under load (an app never started, its test failed).
        ["CATALYST_STORAGE_PROBE_SECONDS"] = "30",
        // Apps on one Azurite share the deployment records but not their task hubs: one app's ResumeStranded would find
        // another's running deployments with no workflow in its own hub and file (or start) them. Tests that exercise the
        // timer run it on an Azurite of their own (see IsolatedApp) and remove this.
        [ResumeStrandedDisabled] = "true",
        // A create checks its Hetzner token with Hetzner: never the real one from a test.
        ["CATALYST_HETZNER_API_BASE_URL"] = FakeHetzner.Shared.Url,
    };

    public const string ResumeStrandedDisabled = "AzureWebJobs__ResumeStranded__Disabled";

    /// <summary>
    /// Sandbox mode for an app whose Sovereigns are loopback fakes: only a sandbox may reach a kubeconfig's loopback
    /// server (issue 15). Clouds it never calls get loopback addresses nothing listens on, as sandbox mode requires.
    /// </summary>
    public static Dictionary<string, string?> Sandboxed(Dictionary<string, string?> settings)
    {
        settings["CATALYST_SANDBOX"] = "true";
        settings.TryAdd("CATALYST_HETZNER_API_BASE_URL", "http://127.0.0.1:9");
        settings.TryAdd("CATALYST_DYNADOT_BASE_URL", "http://127.0.0.1:9");
        settings.TryAdd("CATALYST_OBJECT_STORAGE_ENDPOINT_TEMPLATE", "http://127.0.0.1:9");
        settings.TryAdd("CATALYST_TOFU_BINARY", "/bin/false");
        return settings;
    }

    /// <summary>One random vault key per test run; tests that search storage for secrets know it too.</summary>
    public static readonly string TestVaultKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static string UniqueHubName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];

    /// <summary><paramref name="port"/> 0 lets the app bind a free port and report it; the sandbox asks for a fixed one.</summary>
    public static AppProcess Start(string assemblyPath, IDictionary<string, string?> settings, int port = 0)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
        };
        start.ArgumentList.Add(assemblyPath);
        foreach (var (key, value) in settings) start.Environment[key] = value;
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["DOTNET_gcServer"] = "0";

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var app = new AppProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) app.Receive(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) app.output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => app.Kill();
        return app;
    }

    void Receive(string line)
    {
        output.Enqueue(line);
        const string marker = "Catalyst standalone host listening on http://127.0.0.1:";
        var at = line.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0 && int.TryParse(line[(at + marker.Length)..].Split(',', ' ')[0], out var port)) listening.TrySetResult(port);
    }

    public async Task WaitHealthyAsync(TimeSpan? timeout = null)
    {
        await Wait.ForAsync(() => Task.FromResult<object?>(process.HasExited
            ? throw new InvalidOperationException($"app exited with {process.ExitCode}:\n{Output}")
            : listening.Task.IsCompletedSuccessfully ? true : null), timeout ?? TimeSpan.FromSeconds(60), "the app to report its port");
        await Wait.ForAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"app exited with {process.ExitCode}:\n{Output}");
            using var response = await Http.GetAsync("/healthz");
            return response.IsSuccessStatusCode ? (object)true : null;
        }, TimeSpan.FromSeconds(30), $"the app on port {Port} to answer /healthz");
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a node dies or the OOM killer strikes.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    /// <summary>SIGKILL to the host process alone, not its children: whatever it started must die with it by itself.</summary>
    public void KillAlone()
    {
        if (!process.HasExited && kill(process.Id, 9) != 0) throw new InvalidOperationException($"kill -KILL {process.Id} failed: {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Whether a process is gone: no longer in /proc, or a zombie waiting to be reaped.</summary>
    public static bool IsGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>SIGTERM: what the kubelet sends first.</summary>
    public void Terminate()
    {
        if (kill(process.Id, 15) != 0) throw new InvalidOperationException($"kill -TERM {process.Id} failed: {Marshal.GetLastPInvokeError()}");
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(10));
        http?.Dispose();
        process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);
}
