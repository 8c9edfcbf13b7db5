using System.Diagnostics;

namespace Catalyst.Bench;

/// <summary>Closed-loop load: <c>clients</c> concurrent callers, each
/// sending the next request when the last one answers.</summary>
public static class Load
{
    public sealed record Result(string Name, int Requests, int Errors, double Seconds, double P50,
        double P95, double P99)
    {
        public double PerSecond => Requests / Seconds;
        public override string ToString() =>
            $"{Name,-34} {PerSecond,8:0} req/s  p50 {Measure.Ms(P50),6} ms  p95 {Measure.Ms(P95),6} ms  " +
            $"p99 {Measure.Ms(P99),6} ms  errors {Errors}";
    }

    public static async Task<Result> RunAsync(string name, Uri baseAddress, Func<int, string> path, int clients,
        TimeSpan duration)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        // Warm the connections and the JIT, outside the measurement.
        await Task.WhenAll(Enumerable.Range(0, clients)
            .Select(async i => { using var _ = await http.GetAsync(path(i)); }));
        var latencies = new List<double>[clients];
        var errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var mine = latencies[c] = [];
            var n = 0;
            while (clock.Elapsed < duration)
            {
                var started = clock.Elapsed;
                try
                {
                    using var response = await http.GetAsync(path(c * 7919 + n++),
                        HttpCompletionOption.ResponseContentRead);
                    if ((int)response.StatusCode >= 400) Interlocked.Increment(ref errors);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                }
                mine.Add((clock.Elapsed - started).TotalMilliseconds);
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToList();
        return new Result(name, all.Count, errors, seconds, Measure.Percentile(all, 50), Measure.Percentile(all, 95),
            Measure.Percentile(all, 99));
    }
}
