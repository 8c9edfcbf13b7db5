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
/// </summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    public const string Token = "fake-sovereign-token";

    readonly WebApplication app;
    readonly ConcurrentDictionary<string, List<Step>> releases = new();
    DateTime? firstRequest;

    /// <summary>From <paramref name="After"/> (since the first request) on, the release's Ready condition is this one; a null status means no Ready condition yet.</summary>
    public sealed record Step(TimeSpan After, string? Status, string? Reason = null, string? Message = null);

    FakeKubernetesApi(WebApplication app) => this.app = app;

    public string BaseUrl { get; private set; } = "";
    public int ListRequests;

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

    public string Kubeconfig() => $"""
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
            token: {Token}
        """;

    IResult List(HttpContext context)
    {
        if (context.Request.Headers.Authorization.ToString() != $"Bearer {Token}") return Results.StatusCode(401);
        Interlocked.Increment(ref ListRequests);
        firstRequest ??= DateTime.UtcNow;
        var elapsed = DateTime.UtcNow - firstRequest.Value;
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
