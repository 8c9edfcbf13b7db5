using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Catalyst.Testing;

/// <summary>
/// Hetzner Cloud's API as Catalyst and the fake tofu use it — one cloud: the fake tofu creates objects with
/// <c>POST /v1/{kind}</c> (name and labels, answered with an id) and removes them with <c>DELETE /v1/{kind}/{id}</c>;
/// the app lists them per kind by <c>label_selector</c> (the wipe's sweep, adoption, the orphan sweep) and checks
/// tokens with <c>GET /v1/servers</c>. Lists also show the <see cref="Leftovers"/> a test plants. Every request must
/// carry the expected bearer token.
/// </summary>
public sealed class FakeHetzner : IDisposable
{
    readonly WireMockServer server;
    readonly ConcurrentDictionary<long, HetznerObject> created = new();
    long nextId = 50_000_000;

    public FakeHetzner(string token)
    {
        Token = token;
        server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort.Next()}"] });
        server.Given(Request.Create().WithPath("/v1/*").UsingGet()).RespondWith(Response.Create().WithCallback(request =>
        {
            if (Unauthorized(request) is { } refused) return refused;
            var kind = request.Path.Split('/').Last();
            var selector = request.Query?.TryGetValue("label_selector", out var s) == true ? s[0] : "";
            var planted = Leftovers.Where(l => l.Kind == kind && !IsDeleted(l) && selector == $"catalyst.openova.io/deployment-id={l.DeploymentId}")
                .Select(l => new JsonObject { ["id"] = l.Id, ["name"] = l.Name });
            var made = created.Values.Where(o => o.Kind == kind && Matches(o.Labels, selector)).OrderBy(o => o.Id)
                .Select(o => new JsonObject { ["id"] = o.Id, ["name"] = o.Name, ["labels"] = Labels(o.Labels) });
            var items = new JsonArray(planted.Concat(made).Select(o => (JsonNode)o).ToArray());
            var body = new JsonObject { [kind] = items, ["meta"] = new JsonObject { ["pagination"] = new JsonObject { ["next_page"] = null } } };
            return Json(200, body.ToJsonString());
        }));
        server.Given(Request.Create().WithPath("/v1/*").UsingPost()).RespondWith(Response.Create().WithCallback(request =>
        {
            if (Unauthorized(request) is { } refused) return refused;
            var kind = request.Path.Split('/').Last();
            var body = JsonNode.Parse(request.Body ?? "{}")!.AsObject();
            var name = body["name"]?.GetValue<string>() ?? "";
            if (created.Values.Any(o => o.Kind == kind && o.Name == name))
                return Json(409, """{"error":{"code":"uniqueness_error","message":"name is already used"}}""");
            var labels = body["labels"]?.AsObject().ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "") ?? [];
            var id = Interlocked.Increment(ref nextId);
            created[id] = new HetznerObject(kind, id, name, labels);
            var answer = new JsonObject { [Singular(kind)] = new JsonObject { ["id"] = id, ["name"] = name, ["labels"] = Labels(labels) } };
            return Json(201, answer.ToJsonString());
        }));
        server.Given(Request.Create().WithPath("/v1/*/*").UsingDelete()).RespondWith(Response.Create().WithCallback(request =>
        {
            if (Unauthorized(request) is { } refused) return refused;
            var parts = request.Path.Split('/');
            var (kind, idText) = (parts[^2], parts[^1]);
            if (long.TryParse(idText, out var id) && created.TryGetValue(id, out var found) && found.Kind == kind && created.TryRemove(id, out _))
            {
                Deleted.Enqueue(found);
                return Json(200, "{}");
            }
            if (long.TryParse(idText, out id) && Leftovers.FirstOrDefault(l => l.Kind == kind && l.Id == id) is { Name: not null } leftover)
            {
                // A planted leftover is deleted by remembering it: the bag cannot remove one item.
                Deleted.Enqueue(new HetznerObject(kind, id, leftover.Name, new Dictionary<string, string> { ["catalyst.openova.io/deployment-id"] = leftover.DeploymentId }));
                deletedLeftovers[id] = true;
                return Json(200, "{}");
            }
            return Json(404, """{"error":{"code":"not_found","message":"not found"}}""");
        }));
    }

    readonly ConcurrentDictionary<long, bool> deletedLeftovers = new();

    static readonly Lazy<FakeHetzner> shared = new(() => new FakeHetzner(WizardBodies.HetznerToken));

    /// <summary>
    /// One per test process, accepting <see cref="WizardBodies.HetznerToken"/>: every test app checks the tokens of the
    /// deployments it creates with Hetzner (issue 15), and must never reach the real API doing so
    /// (<see cref="AppProcess.TestSettings"/> points there; worlds with their own fake override it).
    /// </summary>
    public static FakeHetzner Shared => shared.Value;

    public string Token { get; }
    public string Url => server.Urls[0];

    /// <summary>What tofu would pass as <c>HCLOUD_ENDPOINT</c>: the API's base with its version.</summary>
    public string Endpoint => Url + "/v1";

    /// <summary>Objects a test plants (made by something other than the fake tofu); listed until deleted.</summary>
    public ConcurrentBag<(string Kind, long Id, string Name, string DeploymentId)> Leftovers { get; } = [];

    /// <summary>Every object created through <c>POST</c> and not deleted since.</summary>
    public IReadOnlyList<HetznerObject> Objects => created.Values.OrderBy(o => o.Id).ToList();

    /// <summary>Every object a <c>DELETE</c> removed, in order.</summary>
    public ConcurrentQueue<HetznerObject> Deleted { get; } = new();

    /// <summary>Makes every request fail with this status (e.g. 503) until set back to null.</summary>
    public int? FailWith { get; set; }

    /// <summary>Plants an object as if created at Hetzner by a run whose state write never happened.</summary>
    public HetznerObject Create(string kind, string name, string deploymentId)
    {
        var id = Interlocked.Increment(ref nextId);
        return created[id] = new HetznerObject(kind, id, name, new Dictionary<string, string> { ["catalyst.openova.io/deployment-id"] = deploymentId });
    }

    bool IsDeleted((string Kind, long Id, string Name, string DeploymentId) leftover) => deletedLeftovers.ContainsKey(leftover.Id);

    WireMock.ResponseMessage? Unauthorized(WireMock.IRequestMessage request)
    {
        if (FailWith is { } status) return Json(status, """{"error":{"code":"unavailable","message":"service unavailable"}}""");
        return request.Headers?.TryGetValue("Authorization", out var auth) != true || auth![0] != $"Bearer {Token}"
            ? Json(401, """{"error":{"code":"unauthorized","message":"unable to authenticate"}}""")
            : null;
    }

    bool Matches(IReadOnlyDictionary<string, string> labels, string selector)
    {
        var (key, value) = selector.Split('=', 2) is [var k, var v] ? (k, v) : (selector, "");
        return labels.TryGetValue(key, out var actual) && actual == value;
    }

    static JsonObject Labels(IReadOnlyDictionary<string, string> labels) => new(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));

    static string Singular(string kind) => kind.EndsWith('s') ? kind[..^1] : kind;

    static WireMock.ResponseMessage Json(int status, string json) => new()
    {
        StatusCode = status,
        BodyData = new WireMock.Util.BodyData
        {
            BodyAsString = json,
            DetectedBodyType = WireMock.Types.BodyType.String,
            Encoding = System.Text.Encoding.UTF8,
        },
        Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/json") },
    };

    public void Dispose() => server.Stop();
}

/// <summary>One object in the fake Hetzner project.</summary>
public sealed record HetznerObject(string Kind, long Id, string Name, IReadOnlyDictionary<string, string> Labels);
