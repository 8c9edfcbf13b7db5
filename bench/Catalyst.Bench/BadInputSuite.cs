using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Catalyst.Testing;

namespace Catalyst.Bench;

/// <summary>
/// Hostile input against one host: random wizard bodies (fields dropped, retyped, oversized; garbage bytes; wrong
/// content types) and random kubeconfig PUTs (random ids, headers, bearers, bodies). No answer may be a 5xx and
/// nothing may change: no record, vault entry or workflow for a body that was refused, the waiting deployment's
/// record untouched by PUTs that were refused. Every fuzzed body asks for a subdomain an existing deployment holds,
/// so even a body the mutations left valid is refused (409) rather than starting a provision.
/// Then (issue 15) hostile kubeconfigs PUT with the anchor's own valid bearer: mutations of a valid k3s kubeconfig
/// (exec plugins that would create a marker file, auth providers, file paths, proxies, huge values, anchors and
/// aliases, tags, deep nesting, non-UTF-8, several documents…).
/// None may be accepted or stored, and no marker may appear.
/// </summary>
public static class BadInputSuite
{
    public static async Task RunAsync(Report report, int bodies = 10_000, int puts = 5_000, int kubeconfigs = 10_000)
    {
        await using var world = await BenchWorld.StartAsync();
        var deferred = Path.Combine(world.Cloud.Root, "never-sent");
        Directory.CreateDirectory(deferred);
        world.Settings["FAKE_TOFU_POSTBACK_DEFER_DIR"] = deferred; // the anchor's cloud-init never calls back
        // Production's address rules: a sandbox may name a loopback server, which the hostile kubeconfigs try.
        world.Settings["CATALYST_SANDBOX"] = "false";
        await world.StartAppAsync();
        const string taken = "fuzz-taken";
        var anchor = await world.CreateAsync(taken);
        await Wait.ForAsync(async () =>
            (await world.ListAsync()).Single()["step"]?.GetValue<string>() == "kubeconfig-wait" ? (object)true : null,
            TimeSpan.FromMinutes(2), "the anchor deployment to wait for its kubeconfig");
        var blobs = new BlobServiceClient(world.Azurite.ConnectionString);
        var before = await SnapshotAsync(world, blobs, anchor);

        var random = new Random(10);
        var codes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var fiveXx = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var http = new HttpClient { BaseAddress = world.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var seeds = Enumerable.Range(0, bodies).Select(_ => random.Next()).ToList();
        await Parallel.ForEachAsync(seeds, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (seed, _) =>
        {
            var (content, what) = WizardBody(new Random(seed), taken);
            using var response = await http.PostAsync("/api/v1/deployments", content);
            codes.AddOrUpdate($"POST {(int)response.StatusCode}", 1, (_, c) => c + 1);
            if ((int)response.StatusCode >= 500) fiveXx.Add($"POST {what} → {(int)response.StatusCode}");
        });
        var putSeeds = Enumerable.Range(0, puts).Select(_ => random.Next()).ToList();
        await Parallel.ForEachAsync(putSeeds, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (seed, _) =>
        {
            using var request = KubeconfigPut(new Random(seed), anchor, out var what);
            using var response = await http.SendAsync(request);
            codes.AddOrUpdate($"PUT {(int)response.StatusCode}", 1, (_, c) => c + 1);
            if ((int)response.StatusCode >= 500) fiveXx.Add($"PUT {what} → {(int)response.StatusCode}");
        });
        // The anchor's bearer, from the PUT its cloud-init never sent; its addresses, from its record.
        var bearer =
            JsonNode.Parse(File.ReadAllText(Path.Combine(deferred, $"{anchor}.json")))!["bearer"]!.GetValue<string>();
        var lb = JsonNode.Parse(before.Anchor)!["result"]!["loadBalancerIP"]!.GetValue<string>();
        var markers = Path.Combine(world.Cloud.Root, "exec-markers");
        Directory.CreateDirectory(markers);
        var kubeSeeds = Enumerable.Range(0, kubeconfigs).Select(_ => random.Next()).ToList();
        var accepted = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(kubeSeeds, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (seed, _) =>
        {
            var (body, what) = HostileKubeconfig.Create(new Random(seed), lb,
                Path.Combine(markers, seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            using var request = new HttpRequestMessage(HttpMethod.Put,
                $"/api/v1/deployments/{anchor}/kubeconfig") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-yaml");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            using var response = await http.SendAsync(request);
            codes.AddOrUpdate($"PUT (valid bearer) {(int)response.StatusCode}", 1, (_, c) => c + 1);
            if ((int)response.StatusCode >= 500) fiveXx.Add($"PUT {what} → {(int)response.StatusCode}");
            if ((int)response.StatusCode < 300) accepted.Add(what);
        });
        var after = await SnapshotAsync(world, blobs, anchor);
        var ran = Directory.GetFiles(markers).Length;

        report.Line(
            $"### Bad input: {bodies} wizard bodies, {puts} kubeconfig PUTs, {kubeconfigs} hostile kubeconfigs with " +
            "a valid bearer, one host, 16 at a time");
        report.Line();
        report.Line($"- answers: {string.Join(", ", codes.OrderBy(c => c.Key).Select(c => $"{c.Key} ×{c.Value}"))}");
        report.Line($"- 5xx: {(fiveXx.IsEmpty ? "none" : fiveXx.Count + ": " + string.Join("; ", fiveXx.Take(5)))}");
        report.Line(
            $"- side effects: records {before.Records} → {after.Records}, " +
            $"vault entries {before.Vault} → {after.Vault}, idempotency/other blobs {before.Other} → {after.Other}; " +
            $"anchor record {(before.Anchor == after.Anchor ? "unchanged" : "CHANGED")}, still at step {after.Step}");
        report.Line(
            $"- hostile kubeconfigs: {(accepted.IsEmpty ? "none accepted"
                : accepted.Count + " ACCEPTED: " + string.Join("; ", accepted.Take(5)))}; exec markers created: {ran}");
        var pass = fiveXx.IsEmpty && before == after && accepted.IsEmpty && ran == 0;
        report.Line($"- **{(pass ? "PASS" : "FAIL")}**");
        report.Line();
    }

    sealed record Snapshot(int Records, int Vault, int Other, string Anchor, string Step);

    static async Task<Snapshot> SnapshotAsync(BenchWorld world, BlobServiceClient blobs, string anchor)
    {
        async Task<int> Count(string container)
        {
            var c = blobs.GetBlobContainerClient(container);
            if (!await c.ExistsAsync()) return 0;
            var n = 0;
            await foreach (var _ in c.GetBlobsAsync()) n++;
            return n;
        }
        var others = 0;
        await foreach (var container in blobs.GetBlobContainersAsync())
            if (container.Name is not ("deployments" or "vault" or "events" or "tofu-state")
                && !container.Name.StartsWith("bench", StringComparison.Ordinal))
                others += await Count(container.Name);
        var record = (await blobs.GetBlobContainerClient("deployments").GetBlobClient($"{anchor}.json")
            .DownloadContentAsync()).Value.Content.ToString();
        var step = JsonNode.Parse(record)!["step"]?.GetValue<string>() ?? "";
        return new Snapshot(await Count("deployments"), await Count("vault"), others, record, step);
    }

    static readonly string[] ContentTypes = ["application/json", "text/plain", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/xml", ""];

    static (HttpContent, string) WizardBody(Random r, string taken)
    {
        var body = WizardBodies.Valid(taken);
        var keys = body.Select(p => p.Key).ToList();
        string what;
        switch (r.Next(8))
        {
            case 0: var drop = keys[r.Next(keys.Count)]; body.Remove(drop); what = $"without {drop}"; break;
            case 1: var k = keys[r.Next(keys.Count)]; body[k] = Retype(r); what = $"{k} retyped"; break;
            case 2: var big = keys[r.Next(keys.Count)]; body[big] = new string('a',
                r.Next(300, 200_000)); what = $"{big} oversized"; break;
            case 3:
                var bytes = new byte[r.Next(0, 4096)];
                r.NextBytes(bytes);
                return (Typed(new ByteArrayContent(bytes), r), "garbage bytes");
            case 4: body["extra" + r.Next(1000)] = new string('x',
                r.Next(1, 100)); body[keys[r.Next(keys.Count)]] = Retype(r); what = "extra field + retyped"; break;
            case 5: var json = body.ToJsonString(
                ); return (Typed(new StringContent(json[..r.Next(json.Length)], Encoding.UTF8), r), "truncated JSON");
            case 6: return (Typed(new StringContent(new string('[', r.Next(1, 5000)), Encoding.UTF8), r),
                "deep nesting");
            default: what = "valid but taken subdomain"; break;
        }
        var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        return (r.Next(4) == 0 ? Typed(content, r) : Json(content), what);
    }

    static JsonNode? Retype(Random r) => r.Next(6) switch
    {
        0 => null,
        1 => JsonValue.Create(r.Next(-5, 1_000_000)),
        2 => JsonValue.Create(r.Next(2) == 0),
        3 => new JsonArray(JsonValue.Create("a"), JsonValue.Create(1)),
        4 => new JsonObject { ["nested"] = "x" },
        _ => JsonValue.Create("\u0000\ud800 ../../etc/passwd ; rm -rf / <script>"),
    };

    static HttpContent Json(HttpContent content)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    static HttpContent Typed(HttpContent content, Random r)
    {
        var type = ContentTypes[r.Next(ContentTypes.Length)];
        content.Headers.ContentType = type.Length == 0 ? null : MediaTypeHeaderValue.Parse(type);
        return content;
    }

    static HttpRequestMessage KubeconfigPut(Random r, string anchor, out string what)
    {
        var id = r.Next(5) switch
        {
            0 or 1 => anchor,
            2 => Convert.ToHexString(BitConverter.GetBytes(r.NextInt64())).ToLowerInvariant(),
            3 => "..%2F..%2Fvault",
            _ => new string('f', r.Next(1, 300)),
        };
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/deployments/{id}/kubeconfig");
        var bodyBytes = new byte[r.Next(0, r.Next(10) == 0 ? 3_000_000 : 4096)];
        r.NextBytes(bodyBytes);
        request.Content = r.Next(3) == 0 ? new StringContent("apiVersion: v1\nkind: Config\nclusters: []\n",
            Encoding.UTF8) : new ByteArrayContent(bodyBytes);
        request.Content.Headers.ContentType = r.Next(2) == 0 ? new MediaTypeHeaderValue("application/x-yaml") : null;
        var auth = r.Next(6) switch
        {
            0 => null,
            1 => "Bearer",
            2 => "Bearer " +
                Convert.ToHexString(BitConverter.GetBytes(r.NextInt64())).ToLowerInvariant().PadRight(64, '0'),
            3 => "Basic dXNlcjpwYXNz",
            4 => "Bearer " + new string('x', r.Next(0, 10_000)),
            _ => "bearer  " + Guid.NewGuid(),
        };
        if (auth is not null) request.Headers.TryAddWithoutValidation("Authorization", auth);
        what = $"id {id[..Math.Min(id.Length, 20)]}, " +
            $"auth {auth?[..Math.Min(auth.Length, 12)] ?? "none"}, {bodyBytes.Length} bytes";
        return request;
    }
}
