using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Catalyst.Testing;

/// <summary>
/// A Sovereign's Kubernetes API as far as Catalyst reads it: Flux HelmReleases in flux-system, whose Ready
/// conditions follow a scenario (each release's conditions change at offsets from the first request), served by
/// Kestrel on 127.0.0.1. <see cref="Kubeconfig"/> is what the new cluster's cloud-init would post back.
/// Many clusters can share one fake: a bearer <c>{Token}.{cluster}</c> names the cluster, and each cluster's
/// scenario clock starts at its own first list (see <see cref="PerDeploymentKubeconfig"/>); the plain token is cluster "".
/// </summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    public const string Token = "fake-sovereign-token";

    readonly WebApplication app;
    readonly ConcurrentDictionary<string, List<Step>> releases = new();
    readonly ConcurrentDictionary<string, ClusterStats> clusters = new();

    /// <summary>From <paramref name="After"/> (since the first request) on, the release's Ready condition is this one; a null status means no Ready condition yet.</summary>
    public sealed record Step(TimeSpan After, string? Status, string? Reason = null, string? Message = null);

    FakeKubernetesApi(WebApplication app) => this.app = app;

    /// <summary>Per cluster: when it was first listed, and how many lists it has served (for benchmarks: poll rates, watch start).</summary>
    public sealed class ClusterStats(DateTime first)
    {
        public DateTime FirstList { get; } = first;
        public DateTime LastList { get; set; } = first;
        public int Lists;
    }

    public string BaseUrl { get; private set; } = "";
    public int ListRequests;
    public IReadOnlyDictionary<string, ClusterStats> Clusters => clusters;

    /// <summary>Releases that never finish: every one stays Progressing (a watch that runs until its timeout).</summary>
    public FakeKubernetesApi NeverReady(IEnumerable<string> names)
    {
        foreach (var name in names) With(name, new Step(TimeSpan.Zero, "Unknown", "Progressing", "Reconciliation in progress"));
        return this;
    }

    public static async Task<FakeKubernetesApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeKubernetesApi(app);
        app.MapGet("/apis/helm.toolkit.fluxcd.io/v2/namespaces/flux-system/helmreleases", fake.List);
        app.MapGet("/version", () => Results.Json(new { major = "1", minor = "31", gitVersion = "v1.31.4+k3s1" }));
        await app.StartAsync();
        fake.BaseUrl = app.Urls.First();
        return fake;
    }

    /// <summary>Sets (or replaces) a HelmRelease's timeline.</summary>
    public FakeKubernetesApi With(string name, params Step[] steps)
    {
        releases[name] = steps.OrderBy(s => s.After).ToList();
        return this;
    }

    /// <summary>Every release installs: pending, installing, then Ready=True, <paramref name="each"/> apart.</summary>
    public FakeKubernetesApi Installing(IEnumerable<string> names, TimeSpan each)
    {
        foreach (var name in names)
            With(name, new Step(TimeSpan.Zero, null), new Step(each, "Unknown", "Progressing", "Reconciliation in progress"),
                new Step(each * 2, "True", "InstallSucceeded", $"Helm install succeeded for release flux-system/{name}"));
        return this;
    }

    /// <summary>A kubeconfig whose token carries the fake tofu's <c>${deployment_id}</c> placeholder, so every deployment is its own cluster.</summary>
    public string PerDeploymentKubeconfig() => Kubeconfig(Token + ".${deployment_id}");

    public string Kubeconfig(string token = Token) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: default
          cluster:
            server: {BaseUrl}
        contexts:
        - name: default
          context:
            cluster: default
            user: default
        current-context: default
        users:
        - name: default
          user:
            token: {token}
        """;

    IResult List(HttpContext context)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        string cluster;
        if (auth == $"Bearer {Token}") cluster = "";
        else if (auth.StartsWith($"Bearer {Token}.", StringComparison.Ordinal)) cluster = auth[$"Bearer {Token}.".Length..];
        else return Results.StatusCode(401);
        Interlocked.Increment(ref ListRequests);
        var now = DateTime.UtcNow;
        var stats = clusters.GetOrAdd(cluster, _ => new ClusterStats(now));
        Interlocked.Increment(ref stats.Lists);
        stats.LastList = now;
        var elapsed = now - stats.FirstList;
        var items = new JsonArray();
        foreach (var (name, steps) in releases.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var step = steps.LastOrDefault(s => s.After <= elapsed);
            if (step is null) continue;
            var conditions = new JsonArray();
            if (step.Status is not null)
                conditions.Add(new JsonObject { ["type"] = "Ready", ["status"] = step.Status, ["reason"] = step.Reason, ["message"] = step.Message });
            items.Add(new JsonObject
            {
                ["apiVersion"] = "helm.toolkit.fluxcd.io/v2",
                ["kind"] = "HelmRelease",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "flux-system" },
                ["status"] = new JsonObject { ["conditions"] = conditions },
            });
        }
        return Results.Json(new JsonObject
        {
            ["apiVersion"] = "helm.toolkit.fluxcd.io/v2", ["kind"] = "HelmReleaseList", ["metadata"] = new JsonObject { ["resourceVersion"] = "1" }, ["items"] = items,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
