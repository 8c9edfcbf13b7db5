using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Catalyst.Testing;

/// <summary>
/// A Sovereign's Kubernetes API as the cluster cache reads it, on Kestrel at 127.0.0.1: list (paged with
/// limit/continue) and watch (from a resourceVersion, with 410 Gone once history is compacted) for the core, apps and
/// networking kinds; SubjectAccessReviews answered by a policy; namespaced ConfigMap reads. Tests change objects with
/// <see cref="Put"/> and <see cref="Delete"/>, expire watch history, and can hold every request unanswered.
/// Optional CRDs (crossplane, vcluster) are not served, as on a cluster without them: 404.
/// It serves the kinds the cluster cache watches; the Phase-1 watch's Flux HelmReleases are <see cref="FakeHelmReleaseApi"/>.
/// </summary>
public sealed partial class FakeCachedKindsApi : IAsyncDisposable
{
    public const string Token = "fake-cluster-token";
    public const string Pods = "api/v1/pods", Secrets = "api/v1/secrets", ConfigMaps = "api/v1/configmaps", Deployments = "apis/apps/v1/deployments";

    static readonly Dictionary<string, string> Served = new()
    {
        ["api/v1/namespaces"] = "Namespace", ["api/v1/nodes"] = "Node", [Pods] = "Pod", ["api/v1/services"] = "Service", [ConfigMaps] = "ConfigMap",
        [Secrets] = "Secret", ["api/v1/persistentvolumeclaims"] = "PersistentVolumeClaim", [Deployments] = "Deployment",
        ["apis/apps/v1/statefulsets"] = "StatefulSet", ["apis/apps/v1/daemonsets"] = "DaemonSet", ["apis/networking.k8s.io/v1/ingresses"] = "Ingress",
    };

    sealed record Change(long Rv, string Path, string Type, JsonObject Object);

    sealed class Watcher(string path)
    {
        public string Path { get; } = path;
        public Channel<string> Lines { get; } = Channel.CreateUnbounded<string>();
    }

    readonly WebApplication app;
    readonly object gate = new();
    readonly Dictionary<string, SortedDictionary<string, JsonObject>> objects = new();
    readonly List<Change> history = [];
    readonly List<Watcher> watchers = [];
    readonly ConcurrentDictionary<string, int> lists = new();
    long resourceVersion = 1000;
    long horizon;
    TaskCompletionSource held = Answered();

    FakeCachedKindsApi(WebApplication app) => this.app = app;

    public string BaseUrl { get; private set; } = "";
    public int WatchRequests;
    public int SarRequests;

    /// <summary>Decides SubjectAccessReviews: (user, verb, resource, namespace) → allowed. Default: deny.</summary>
    public Func<string, string, string, string, bool> Access { get; set; } = (_, _, _, _) => false;

    /// <summary>The ConfigMaps GET /api/v1/namespaces/{ns}/configmaps/{name} answers (the kinds extension), by "ns/name".</summary>
    public ConcurrentDictionary<string, Dictionary<string, string>> ConfigMapData { get; } = new();

    public int ListRequests(string path) => lists.GetValueOrDefault(path);

    /// <summary>
    /// A hostile API: a watch of a path listed here answers one line of that many bytes (one ADDED event whose object
    /// carries a huge annotation), streamed in chunks, and then nothing more. How much of it "went out" is not a measure
    /// of the client: Kestrel goes on accepting (and dropping) writes after the client hung up, so a client is judged
    /// by its memory instead.
    /// </summary>
    public ConcurrentDictionary<string, long> HugeWatchLines { get; } = new();

    public static async Task<FakeCachedKindsApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeCachedKindsApi(app);
        app.MapGet("/api/v1/namespaces/{ns}/configmaps/{name}", fake.GetConfigMap);
        app.MapGet("/api/{version}/{resource}", (HttpContext c, string version, string resource) => fake.Collection(c, $"api/{version}/{resource}"));
        app.MapGet("/apis/{group}/{version}/{resource}", (HttpContext c, string group, string version, string resource) => fake.Collection(c, $"apis/{group}/{version}/{resource}"));
        app.MapPost("/apis/authorization.k8s.io/v1/subjectaccessreviews", fake.Review);
        await app.StartAsync();
        fake.BaseUrl = app.Urls.First();
        return fake;
    }

    public string Kubeconfig() => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: sovereign
          cluster:
            server: {BaseUrl}
        contexts:
        - name: sovereign
          context:
            cluster: sovereign
            user: admin
        current-context: sovereign
        users:
        - name: admin
          user:
            token: {Token}
        """;

    /// <summary>Creates or replaces an object (by metadata namespace/name) and tells the watchers; returns its new resourceVersion.</summary>
    public string Put(string path, JsonObject item)
    {
        lock (gate)
        {
            var rv = (++resourceVersion).ToString();
            var copy = item.DeepClone().AsObject();
            var metadata = copy["metadata"]!.AsObject();
            metadata["resourceVersion"] = rv;
            var store = Store(path);
            var key = Key(copy);
            var type = store.ContainsKey(key) ? "MODIFIED" : "ADDED";
            store[key] = copy;
            Record(path, type, copy);
            return rv;
        }
    }

    public bool Delete(string path, string ns, string name)
    {
        lock (gate)
        {
            if (!Store(path).Remove($"{ns}/{name}", out var gone)) return false;
            var copy = gone.DeepClone().AsObject();
            copy["metadata"]!["resourceVersion"] = (++resourceVersion).ToString();
            Record(path, "DELETED", copy);
            return true;
        }
    }

    /// <summary>Compacts the watch history and ends every open watch: the next watch from an old resourceVersion gets 410 Gone.</summary>
    public void ExpireWatches()
    {
        lock (gate)
        {
            horizon = resourceVersion + 1;
            history.Clear();
            foreach (var watcher in watchers) watcher.Lines.Writer.TryComplete();
            watchers.Clear();
        }
    }

    /// <summary>From now on requests wait, unanswered, until <see cref="Answer"/> (an API that is not up yet).</summary>
    public void Hold()
    {
        lock (gate) if (held.Task.IsCompleted) held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Answer()
    {
        lock (gate) held.TrySetResult();
    }

    void Record(string path, string type, JsonObject item)
    {
        var change = new Change(resourceVersion, path, type, item);
        history.Add(change);
        foreach (var watcher in watchers.Where(w => w.Path == path)) watcher.Lines.Writer.TryWrite(Line(change));
    }

    static string Line(Change change) => new JsonObject { ["type"] = change.Type, ["object"] = change.Object.DeepClone() }.ToJsonString();

    SortedDictionary<string, JsonObject> Store(string path) =>
        objects.TryGetValue(path, out var store) ? store : objects[path] = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);

    static string Key(JsonObject item) => $"{item["metadata"]?["namespace"]?.GetValue<string>() ?? ""}/{item["metadata"]!["name"]!.GetValue<string>()}";

    static TaskCompletionSource Answered()
    {
        var answered = new TaskCompletionSource();
        answered.SetResult();
        return answered;
    }

    async Task<bool> AdmitAsync(HttpContext context)
    {
        Task wait;
        lock (gate) wait = held.Task;
        await wait.WaitAsync(context.RequestAborted);
        if (context.Request.Headers.Authorization.ToString() == $"Bearer {Token}") return true;
        context.Response.StatusCode = 401;
        return false;
    }

    async Task Collection(HttpContext context, string path)
    {
        if (!await AdmitAsync(context)) return;
        var watch = context.Request.Query["watch"] == "true";
        if (!watch) lists.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (!Served.TryGetValue(path, out var kind))
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsJsonAsync(Status(404, "NotFound", $"the server could not find the requested resource ({path})"));
            return;
        }
        if (watch) await Watch(context, path);
        else await List(context, path, kind);
    }

    async Task List(HttpContext context, string path, string kind)
    {
        string body;
        lock (gate)
        {
            var all = Store(path).Values.ToList();
            var limit = int.TryParse(context.Request.Query["limit"], out var l) && l > 0 ? l : int.MaxValue;
            var offset = int.TryParse(context.Request.Query["continue"], out var o) ? o : 0;
            var page = all.Skip(offset).Take(limit).ToList();
            var metadata = new JsonObject { ["resourceVersion"] = resourceVersion.ToString() };
            if (offset + page.Count < all.Count) metadata["continue"] = (offset + page.Count).ToString();
            // Items of a real list carry no apiVersion/kind; the list does.
            body = new JsonObject
            {
                ["apiVersion"] = path.StartsWith("apis/", StringComparison.Ordinal) ? path[5..path.LastIndexOf('/')] : "v1",
                ["kind"] = kind + "List",
                ["metadata"] = metadata,
                ["items"] = new JsonArray(page.Select(i => (JsonNode?)i.DeepClone()).ToArray()),
            }.ToJsonString();
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    async Task Watch(HttpContext context, string path)
    {
        Interlocked.Increment(ref WatchRequests);
        if (HugeWatchLines.TryGetValue(path, out var huge))
        {
            await HugeLineAsync(context, huge);
            return;
        }
        var from = long.TryParse(context.Request.Query["resourceVersion"], out var rv) ? rv : 0;
        var watcher = new Watcher(path);
        lock (gate)
        {
            if (from < horizon)
                watcher.Lines.Writer.TryWrite(new JsonObject { ["type"] = "ERROR", ["object"] = Status(410, "Expired", $"too old resource version: {from} ({horizon})") }.ToJsonString());
            else
            {
                foreach (var change in history.Where(c => c.Path == path && c.Rv > from)) watcher.Lines.Writer.TryWrite(Line(change));
                watchers.Add(watcher);
            }
            if (from < horizon) watcher.Lines.Writer.TryComplete();
        }
        context.Response.ContentType = "application/json";
        await context.Response.Body.FlushAsync();
        try
        {
            await foreach (var line in watcher.Lines.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(line + "\n");
                await context.Response.Body.FlushAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (gate) watchers.Remove(watcher);
        }
    }

    async Task HugeLineAsync(HttpContext context, long size)
    {
        context.Response.ContentType = "application/json";
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'a');
        try
        {
            await context.Response.WriteAsync("""{"type":"ADDED","object":{"metadata":{"namespace":"x","name":"huge","resourceVersion":"1","annotations":{"a":" """.TrimEnd(), context.RequestAborted);
            // Kestrel drops writes to a connection the client closed without failing them; its writer says it is done instead.
            for (long sent = 0; sent < size; sent += chunk.Length)
            {
                var written = await context.Response.BodyWriter.WriteAsync(chunk, context.RequestAborted);
                if (written.IsCompleted || written.IsCanceled) return;
            }
            await context.Response.WriteAsync("\"}}}}\n", context.RequestAborted);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client refused the line and hung up, as it should.
        }
    }

    async Task Review(HttpContext context)
    {
        if (!await AdmitAsync(context)) return;
        Interlocked.Increment(ref SarRequests);
        var review = await JsonNode.ParseAsync(context.Request.Body);
        var spec = review!["spec"]!;
        var attributes = spec["resourceAttributes"];
        var allowed = Access(spec["user"]?.GetValue<string>() ?? "", attributes?["verb"]?.GetValue<string>() ?? "",
            attributes?["resource"]?.GetValue<string>() ?? "", attributes?["namespace"]?.GetValue<string>() ?? "");
        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["apiVersion"] = "authorization.k8s.io/v1", ["kind"] = "SubjectAccessReview", ["spec"] = spec.DeepClone(),
            ["status"] = new JsonObject { ["allowed"] = allowed },
        });
    }

    async Task GetConfigMap(HttpContext context, string ns, string name)
    {
        if (!await AdmitAsync(context)) return;
        if (!ConfigMapData.TryGetValue($"{ns}/{name}", out var data))
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsJsonAsync(Status(404, "NotFound", $"configmaps \"{name}\" not found"));
            return;
        }
        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["data"] = JsonSerializer.SerializeToNode(data),
        });
    }

    static JsonObject Status(int code, string reason, string message) => new()
    {
        ["apiVersion"] = "v1", ["kind"] = "Status", ["status"] = "Failure", ["message"] = message, ["reason"] = reason, ["code"] = code,
    };

    public async ValueTask DisposeAsync()
    {
        Answer();
        lock (gate)
            foreach (var watcher in watchers) watcher.Lines.Writer.TryComplete();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
