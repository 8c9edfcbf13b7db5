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
/// It serves only HelmReleases (list and watch streams); the cluster cache's kinds are <see cref="FakeCachedKindsApi"/>.
/// </summary>
public sealed class FakeHelmReleaseApi : IAsyncDisposable
{
    public const string Token = "fake-sovereign-token";

    readonly WebApplication app;
    readonly ConcurrentDictionary<string, List<Step>> releases = new();
    readonly ConcurrentDictionary<string, ClusterStats> clusters = new();

    /// <summary>From <paramref name="After"/> (since the first request) on, the release's Ready condition is this one; a null status means no Ready condition yet.</summary>
    public sealed record Step(TimeSpan After, string? Status, string? Reason = null, string? Message = null);

    FakeHelmReleaseApi(WebApplication app) => this.app = app;

    /// <summary>Per cluster: when it was first listed, and how many lists it has served (for benchmarks: poll rates, watch start).</summary>
    public sealed class ClusterStats(DateTime first)
    {
        public DateTime FirstList { get; } = first;
        public DateTime LastList { get; set; } = first;
        public int Lists;
    }

    public string BaseUrl { get; private set; } = "";
    public int ListRequests;
    public int WatchRequests;
    public int OpenWatches;
    /// <summary>How often a watch sends a BOOKMARK (a real API server: about a minute).</summary>
    public TimeSpan BookmarkEvery { get; set; } = TimeSpan.FromSeconds(5);
    int cutNextWatchAfter = -1;
    int goneNextWatch;

    /// <summary>The next watch request (any cluster) is cut, connection and all, after <paramref name="events"/> events.</summary>
    public void CutNextWatchAfter(int events) => Volatile.Write(ref cutNextWatchAfter, events);

    /// <summary>The next watch request (any cluster) is answered with an ERROR 410 Gone event, as when its resourceVersion is too old.</summary>
    public void GoneOnNextWatch() => Volatile.Write(ref goneNextWatch, 1);

    /// <summary>When the server's view of <paramref name="cluster"/>'s <paramref name="release"/> changed to step <paramref name="step"/> (null before its first list).</summary>
    public DateTime? ChangedAt(string cluster, string release, int step) =>
        clusters.TryGetValue(cluster, out var stats) && releases.TryGetValue(release, out var steps) && step < steps.Count ? stats.FirstList + steps[step].After : null;
    public IReadOnlyDictionary<string, ClusterStats> Clusters => clusters;

    /// <summary>Releases that never finish: every one stays Progressing (a watch that runs until its timeout).</summary>
    public FakeHelmReleaseApi NeverReady(IEnumerable<string> names)
    {
        foreach (var name in names) With(name, new Step(TimeSpan.Zero, "Unknown", "Progressing", "Reconciliation in progress"));
        return this;
    }

    public static async Task<FakeHelmReleaseApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeHelmReleaseApi(app);
        app.MapGet("/apis/helm.toolkit.fluxcd.io/v2/namespaces/flux-system/helmreleases", fake.List);
        app.MapGet("/version", () => Results.Json(new { major = "1", minor = "31", gitVersion = "v1.31.4+k3s1" }));
        await app.StartAsync();
        fake.BaseUrl = app.Urls.First();
        return fake;
    }

    /// <summary>Sets (or replaces) a HelmRelease's timeline.</summary>
    public FakeHelmReleaseApi With(string name, params Step[] steps)
    {
        releases[name] = steps.OrderBy(s => s.After).ToList();
        return this;
    }

    /// <summary>Every release installs: pending, installing, then Ready=True, <paramref name="each"/> apart.</summary>
    public FakeHelmReleaseApi Installing(IEnumerable<string> names, TimeSpan each)
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

    /// <summary>
    /// Every change of the scenario in order: (when, release, step). A cluster's resourceVersion is 1 plus the number of
    /// changes it has passed, so a list and a watch agree on what "after resourceVersion N" means.
    /// </summary>
    List<(TimeSpan At, string Release, int Step)> Changes() =>
        releases.SelectMany(r => r.Value.Select((step, i) => (step.After, r.Key, i))).OrderBy(c => c.After).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();

    static JsonObject Object(string name, Step step, long resourceVersion)
    {
        var conditions = new JsonArray();
        if (step.Status is not null)
            conditions.Add(new JsonObject { ["type"] = "Ready", ["status"] = step.Status, ["reason"] = step.Reason, ["message"] = step.Message });
        return new JsonObject
        {
            ["apiVersion"] = "helm.toolkit.fluxcd.io/v2",
            ["kind"] = "HelmRelease",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "flux-system", ["resourceVersion"] = resourceVersion.ToString() },
            ["status"] = new JsonObject { ["conditions"] = conditions },
        };
    }

    async Task List(HttpContext context)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        string cluster;
        if (auth == $"Bearer {Token}") cluster = "";
        else if (auth.StartsWith($"Bearer {Token}.", StringComparison.Ordinal)) cluster = auth[$"Bearer {Token}.".Length..];
        else
        {
            context.Response.StatusCode = 401;
            return;
        }
        if (context.Request.Query["watch"] == "true")
        {
            await WatchAsync(context, cluster);
            return;
        }
        Interlocked.Increment(ref ListRequests);
        var now = DateTime.UtcNow;
        var stats = clusters.GetOrAdd(cluster, _ => new ClusterStats(now));
        Interlocked.Increment(ref stats.Lists);
        stats.LastList = now;
        var elapsed = now - stats.FirstList;
        var changes = Changes();
        var passed = changes.Count(c => c.At <= elapsed);
        var items = new JsonArray();
        foreach (var (name, steps) in releases.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var index = steps.FindLastIndex(s => s.After <= elapsed);
            if (index < 0) continue;
            items.Add(Object(name, steps[index], 1 + changes.FindIndex(c => c.Release == name && c.Step == index) + 1));
        }
        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["apiVersion"] = "helm.toolkit.fluxcd.io/v2", ["kind"] = "HelmReleaseList",
            ["metadata"] = new JsonObject { ["resourceVersion"] = (1 + passed).ToString() }, ["items"] = items,
        });
    }

    /// <summary>
    /// A watch from a resourceVersion: each later change as it happens (ADDED for a release's first step, MODIFIED after),
    /// BOOKMARKs in between, and the end after <c>timeoutSeconds</c> — or the faults a test asked for.
    /// </summary>
    async Task WatchAsync(HttpContext context, string cluster)
    {
        Interlocked.Increment(ref WatchRequests);
        Interlocked.Increment(ref OpenWatches);
        try
        {
            var first = clusters.GetOrAdd(cluster, _ => new ClusterStats(DateTime.UtcNow)).FirstList;
            var from = long.TryParse(context.Request.Query["resourceVersion"], out var rv) ? rv : 1;
            var timeout = TimeSpan.FromSeconds(int.TryParse(context.Request.Query["timeoutSeconds"], out var t) ? t : 300);
            var ends = DateTime.UtcNow + timeout;
            var cutAfter = Interlocked.Exchange(ref cutNextWatchAfter, -1);
            context.Response.ContentType = "application/json";
            var body = context.Response.Body;
            async Task Send(JsonObject line)
            {
                await body.WriteAsync(System.Text.Encoding.UTF8.GetBytes(line.ToJsonString() + "\n"), context.RequestAborted);
                await body.FlushAsync(context.RequestAborted);
            }
            if (Interlocked.Exchange(ref goneNextWatch, 0) == 1)
            {
                await Send(new JsonObject
                {
                    ["type"] = "ERROR",
                    ["object"] = new JsonObject { ["kind"] = "Status", ["status"] = "Failure", ["code"] = 410, ["reason"] = "Expired", ["message"] = $"too old resource version: {from}" },
                });
                return;
            }
            await body.FlushAsync(context.RequestAborted);
            var changes = Changes();
            var sent = 0;
            var nextBookmark = DateTime.UtcNow + BookmarkEvery;
            for (var i = (int)Math.Max(0, from - 1); ; )
            {
                var now = DateTime.UtcNow;
                if (now >= ends) return;
                if (i < changes.Count && first + changes[i].At <= now)
                {
                    var (_, name, step) = changes[i];
                    await Send(new JsonObject { ["type"] = step == 0 ? "ADDED" : "MODIFIED", ["object"] = Object(name, releases[name][step], i + 2) });
                    i++;
                    if (++sent == cutAfter)
                    {
                        context.Abort();
                        return;
                    }
                    continue;
                }
                if (now >= nextBookmark)
                {
                    await Send(new JsonObject
                    {
                        ["type"] = "BOOKMARK",
                        ["object"] = new JsonObject { ["kind"] = "HelmRelease", ["apiVersion"] = "helm.toolkit.fluxcd.io/v2", ["metadata"] = new JsonObject { ["resourceVersion"] = (i + 1).ToString() } },
                    });
                    nextBookmark = now + BookmarkEvery;
                }
                var wake = new[] { ends, nextBookmark, i < changes.Count ? first + changes[i].At : DateTime.MaxValue }.Min();
                await Task.Delay(wake - now > TimeSpan.Zero ? wake - now : TimeSpan.Zero, context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            Interlocked.Decrement(ref OpenWatches);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
