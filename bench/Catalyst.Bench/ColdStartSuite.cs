using System.Diagnostics;
using Catalyst.Testing;

namespace Catalyst.Bench;

/// <summary>(d) Process start → /healthz 200 and → /readyz 200, a fresh process each run on the same storage.</summary>
public static class ColdStartSuite
{
    public static async Task RunAsync(Report report, int runs = 5)
    {
        await using var world = await BenchWorld.StartAsync();
        var dll = RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll");
        var health = new List<double>();
        var ready = new List<double>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var run = 0; run < runs; run++)
        {
            var port = FreePort.Next();
            var clock = Stopwatch.StartNew();
            await using var app = AppProcess.Start(dll, world.Settings, port);
            double? healthy = null, isReady = null;
            while (clock.Elapsed < TimeSpan.FromSeconds(120) && isReady is null && !app.HasExited)
            {
                healthy ??= await Ok(http, $"http://127.0.0.1:{port}/healthz") ? clock.Elapsed.TotalMilliseconds : null;
                if (healthy is not null) isReady = await Ok(http, $"http://127.0.0.1:{port}/readyz")
                    ? clock.Elapsed.TotalMilliseconds : null;
                if (isReady is null) await Task.Delay(10);
            }
            health.Add(healthy ?? double.NaN);
            ready.Add(isReady ?? double.NaN);
            report.Line(
                $"run {run + 1}{(run == 0 ? " (first on this storage: creates the task hub)" : "")}: " +
                $"/healthz {Measure.Ms(healthy ?? double.NaN)} ms, /readyz {Measure.Ms(isReady ?? double.NaN)} ms");
            app.Terminate();
            await app.WaitForExitAsync(TimeSpan.FromSeconds(20));
        }
        report.Line();
        report.Line(
            $"Median of {runs}: process start → /healthz 200 **{Measure.Ms(Measure.Percentile(health, 50))} ms**, " +
            $"→ /readyz 200 **{Measure.Ms(Measure.Percentile(ready, 50))} ms**.");
    }

    static async Task<bool> Ok(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(url);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
