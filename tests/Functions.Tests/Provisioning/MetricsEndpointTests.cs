using System.Net;
using Catalyst.Testing;
using Xunit.Abstractions;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>
/// Issue 17: <c>GET /metrics</c> scraped by a real Prometheus every second during a sandbox-style provision. The
/// counters move, route labels are templates (no deployment id is a label value), and the endpoint is public.
/// </summary>
public sealed class MetricsEndpointTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PrometheusScrapesTheProvisionCountersAsTheyMove()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(300));
        var app = await world.StartAppAsync();
        await using var prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{app.Port}");
        await Wait.ForAsync(async () => await prometheus.TargetUpAsync() ? (object)true : null, TimeSpan.FromSeconds(30), "Prometheus to scrape the app");
        Assert.Equal(0, await prometheus.ValueAsync("catalyst_provisions_started_total") ?? 0);

        var id = await world.CreateDeploymentAsync("metrics");
        await world.WaitForStatusAsync(id, "ready");

        // Each query waits for a scrape after the event (every second), never a fixed sleep.
        async Task Moves(string query) =>
            await Wait.ForAsync(async () => await prometheus.ValueAsync(query) is >= 1 ? (object)true : null, TimeSpan.FromSeconds(30),
                $"Prometheus to see {query} >= 1 (app log: {app.Output[^Math.Min(2000, app.Output.Length)..]}; prometheus: {prometheus.Output})");
        await Moves("catalyst_provisions_started_total");
        await Moves("catalyst_provisions_finished_total{outcome=\"ready\"}");
        await Moves("catalyst_phase_duration_seconds_count{phase=\"tofu\"}");
        await Moves("catalyst_phase_duration_seconds_count{phase=\"phase1\"}");
        await Moves("catalyst_tofu_runs_total{command=\"apply\"}");
        await Moves("catalyst_kubeconfig_postbacks_accepted_total");
        await Moves("catalyst_watch_transitions_total{state=\"installed\"}");
        await Moves("catalyst_deployments{status=\"ready\"}");
        await Moves("sum(catalyst_http_request_duration_seconds_count{route=\"api/v1/deployments/{id}\"})");
        await Moves("sum(catalyst_http_request_duration_seconds_count{route=\"metrics\"})");

        // No route or request id becomes a label value; only the cluster cache's series name their cluster (the deployment
        // id), as the original's k8scache metrics did. The text format is what Prometheus parsed above.
        using var scrape = await app.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType!.ToString());
        var text = await scrape.Content.ReadAsStringAsync();
        Assert.All(text.Split('\n').Where(l => l.Contains(id, StringComparison.Ordinal)),
            line => Assert.Contains($"cluster=\"{id}\"", line));
        Assert.All(text.Split('\n').Where(l => l.Contains(id, StringComparison.Ordinal)),
            line => Assert.StartsWith("catalyst_k8scache_", line));
        output.WriteLine(string.Join('\n', text.Split('\n').Where(l => l.StartsWith("catalyst_provisions", StringComparison.Ordinal))));
    }

    [Fact]
    public void MetricsIsOutsideTheSessionGate() =>
        Assert.False(Catalyst.Domain.Auth.GatePaths.IsGated("GET", "/metrics"));
}
