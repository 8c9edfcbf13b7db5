using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Catalyst.Domain.ClusterCache;
using Catalyst.Testing;
using Microsoft.Extensions.Logging.Abstractions;

// Cold start of the cluster cache for one Sovereign with N pods (default 10 000), against the fake API on loopback
// and Azurite: time from start to the first list that holds every pod, without a snapshot (list from the API) and
// with one (API held unanswered, so the answer can only come from the snapshot); then the memory the cached
// objects take. Run: dotnet run -c Release --project bench/ClusterCache [-- <objects>]
var count = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 10_000;
Console.WriteLine(
    $"cluster cache benchmark: {count} pods, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine($"command: dotnet run -c Release --project bench/ClusterCache -- {count}");

await using var azurite = await AzuriteServer.StartAsync();
await using var api = await FakeCachedKindsApi.StartAsync();
var blobs = new BlobServiceClient(azurite.ConnectionString);
var snapshots = new SnapshotStore(blobs);
var cluster = Catalyst.Domain.Deployments.DeploymentId.New();
var kubeconfig = Encoding.UTF8.GetBytes(api.Kubeconfig());
for (var i = 0; i < count; i++) api.Put(FakeCachedKindsApi.Pods, Pod(i));
Console.WriteLine($"pod JSON size: {Pod(0).ToJsonString().Length} bytes");

// 1. No snapshot: hydrate finds nothing, then 20 pages of 500 from the API.
var (coldList, _) = await FirstFullListAsync(hold: false);
// The eager snapshot written after that first sync is what the second start hydrates from.
var snapshotBytes = (await blobs.GetBlobContainerClient(SnapshotStore.ContainerName)
    .GetBlobClient(SnapshotStore.BlobName(cluster, "pod")).GetPropertiesAsync()).Value.ContentLength;
// 2. With the snapshot, the API not answering.
var (warmList, thenSynced) = await FirstFullListAsync(hold: true);

Console.WriteLine($"first full list, no snapshot:   {coldList.TotalMilliseconds,8:0} ms (list from the API)");
Console.WriteLine(
    $"first full list, with snapshot: {warmList.TotalMilliseconds,8:0} ms " +
    $"(snapshot {snapshotBytes / 1024.0 / 1024.0:0.0} MiB; API answered later, " +
    $"synced after {thenSynced.TotalMilliseconds:0} ms)");

// 3. Memory: the cached form of N pods (bytes plus metadata and the dictionary), measured alone.
var kind = KindRegistry.WithDefaults().Find("pod")!;
var sources = Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes(Pod(i).ToJsonString())).ToArray();
var before = GC.GetTotalMemory(forceFullCollection: true);
var store = new ConcurrentDictionary<string, CachedObject>(StringComparer.Ordinal);
foreach (var json in sources)
{
    using var document = JsonDocument.Parse(json);
    var cached = CachedObject.From(document.RootElement, kind, "Pod")!;
    store[cached.Key] = cached;
}
var after = GC.GetTotalMemory(forceFullCollection: true);
Console.WriteLine(
    $"memory per {count} cached pods: {(after - before) / 1024.0 / 1024.0:0.0} MiB " +
    $"({(after - before) / (double)count:0} bytes per object; JSON " +
    $"alone {sources.Sum(s => (long)s.Length) / 1024.0 / 1024.0:0.0} MiB)");
GC.KeepAlive(store);
return 0;

async Task<(TimeSpan FirstList, TimeSpan Synced)> FirstFullListAsync(bool hold)
{
    if (hold) api.Hold();
    var options = new ClusterCacheOptions { SnapshotInterval = TimeSpan.FromHours(1) };
    var cache = new SovereignCache(options, snapshots, NullLoggerFactory.Instance);
    var clock = Stopwatch.StartNew();
    cache.Register(cluster, kubeconfig);
    cache.Start();
    var query = ListQuery.Parse(null, null, null, null, null);
    TimeSpan first;
    while (true)
    {
        if (cache.Cache(cluster, "pod") is { Count: var c } pods && c == count)
        {
            var page = await cache.ListAsync(pods, query, null);
            if (page.Items.Count == ListQuery.DefaultLimit || count < ListQuery.DefaultLimit)
            {
                first = clock.Elapsed;
                break;
            }
        }
        await Task.Delay(1);
    }
    if (hold) api.Answer();
    while (cache.Cache(cluster, "pod") is not { Synced: true }) await Task.Delay(5);
    var synced = clock.Elapsed;
    // Let the eager snapshot land before this cache goes away.
    while (cache.SnapshotsWritten == 0 || cache.Cache(cluster, "pod")!.WrittenVersion < 0) await Task.Delay(10);
    await cache.DisposeAsync();
    return (first, synced);
}

// A pod of typical size: labels, annotations, two containers with env and resources, status with conditions.
static JsonObject Pod(int i)
{
    var pod = FakeCachedKindsApi.Pod($"ns-{i % 40}", $"workload-{i:00000}-7d9f8b6c5d-x2k4q", new()
    {
        ["app.kubernetes.io/name"] = $"workload-{i % 300}", ["app.kubernetes.io/part-of"] = "catalyst",
        ["pod-template-hash"] = "7d9f8b6c5d",
    });
    pod["metadata"]!["annotations"] =
        new JsonObject { ["prometheus.io/scrape"] = "true", ["prometheus.io/port"] = "9090" };
    pod["metadata"]!["ownerReferences"] =
        new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet",
            ["name"] = $"workload-{i:00000}-7d9f8b6c5d", ["uid"] = Guid.NewGuid().ToString(), ["controller"] = true });
    JsonObject Container(string name) => new()
    {
        ["name"] = name, ["image"] = $"harbor.example/catalyst/{name}:1.{i % 20}.3",
        ["env"] = new JsonArray(Enumerable.Range(0, 6)
            .Select(e =>
                (JsonNode?)new JsonObject { ["name"] = $"SETTING_{e}", ["value"] = $"value-{e}-{i}" }).ToArray()),
        ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "50m", ["memory"] = "64Mi" },
            ["limits"] = new JsonObject { ["memory"] = "256Mi" } },
        ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 8080, ["protocol"] = "TCP" }),
    };
    pod["spec"] = new JsonObject { ["nodeName"] = $"worker-{i % 5}", ["serviceAccountName"] = "default",
        ["containers"] = new JsonArray(Container("app"), Container("sidecar")) };
    pod["status"] = new JsonObject
    {
        ["phase"] = "Running", ["podIP"] = $"10.42.{i / 250 % 250}.{i % 250}", ["startTime"] = "2026-05-03T10:00:00Z",
        ["conditions"] = new JsonArray(new[] { "Initialized", "Ready", "ContainersReady", "PodScheduled" }
            .Select(t => (JsonNode?)new JsonObject { ["type"] = t, ["status"] = "True",
                ["lastTransitionTime"] = "2026-05-03T10:00:05Z" }).ToArray()),
    };
    return pod;
}
