using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Catalyst.Testing;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c> package) on a free loopback port, scraping one target every second,
/// queried through its HTTP API. Its data lives in a temporary folder removed on dispose.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    readonly Process process;
    readonly string folder;
    readonly List<string> output = [];

    PrometheusServer(Process process, string folder, int port)
    {
        this.process = process;
        this.folder = folder;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Http { get; }
    public string Output { get { lock (output) return string.Join('\n', output); } }

    /// <summary>The binary, or a failure that says how to get it: the test needs it and never skips.</summary>
    public static string Binary() =>
        new[] { "/usr/bin/prometheus", "/usr/local/bin/prometheus" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("prometheus is not installed: `apt-get install -y prometheus` (.ci/run installs it)");

    public static async Task<PrometheusServer> StartAsync(string target, string metricsPath = "/metrics")
    {
        var binary = Binary();
        var folder = Directory.CreateTempSubdirectory("prometheus-").FullName;
        var config = Path.Combine(folder, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: catalyst
                metrics_path: {metricsPath}
                static_configs:
                  - targets: ['{target}']
            """);
        var port = FreePort.Next();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
        })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        var server = new PrometheusServer(process, folder, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) lock (server.output) server.output.Add(line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (server.output) server.output.Add(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Wait.ForAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"prometheus exited: {server.Output}");
            using var ready = await server.Http.GetAsync("/-/ready");
            return ready.IsSuccessStatusCode ? (object)true : null;
        }, TimeSpan.FromSeconds(30), "prometheus to be ready");
        return server;
    }

    /// <summary>The value of an instant query that yields one sample, or null while it yields none.</summary>
    public async Task<double?> ValueAsync(string query)
    {
        var answer = await Http.GetFromJsonAsync<JsonObject>($"/api/v1/query?query={Uri.EscapeDataString(query)}");
        var result = answer?["data"]?["result"]?.AsArray();
        if (result is null || result.Count == 0) return null;
        return double.Parse(result[0]!["value"]![1]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the scrape of the target last succeeded (Prometheus' own <c>up</c>).</summary>
    public async Task<bool> TargetUpAsync() => await ValueAsync("up{job=\"catalyst\"}") == 1;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
