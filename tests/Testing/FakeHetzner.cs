using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Catalyst.Testing;

/// <summary>
/// Hetzner Cloud's API as the wipe's sweep and the token check read it: label-selected lists per kind, with
/// leftovers a test plants. Every request must carry the expected bearer token.
/// </summary>
public sealed class FakeHetzner : IDisposable
{
    readonly WireMockServer server;

    public FakeHetzner(string token)
    {
        Token = token;
        server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort.Next()}"] });
        server.Given(Request.Create().WithPath("/v1/*").UsingGet()).RespondWith(Response.Create().WithCallback(request =>
        {
            if (request.Headers?.TryGetValue("Authorization", out var auth) != true || auth![0] != $"Bearer {Token}")
                return new WireMock.ResponseMessage { StatusCode = 401, BodyData = Body("""{"error":{"code":"unauthorized","message":"unable to authenticate"}}""") };
            var kind = request.Path.Split('/').Last();
            var selector = request.Query?.TryGetValue("label_selector", out var s) == true ? s[0] : "";
            var items = new JsonArray(Leftovers.Where(l => l.Kind == kind && selector == $"catalyst.openova.io/deployment-id={l.DeploymentId}")
                .Select(l => (JsonNode)new JsonObject { ["id"] = l.Id, ["name"] = l.Name }).ToArray());
            var body = new JsonObject { [kind] = items, ["meta"] = new JsonObject { ["pagination"] = new JsonObject { ["next_page"] = null } } };
            return new WireMock.ResponseMessage { StatusCode = 200, BodyData = Body(body.ToJsonString()) };
        }));
    }

    public string Token { get; }
    public string Url => server.Urls[0];
    public ConcurrentBag<(string Kind, long Id, string Name, string DeploymentId)> Leftovers { get; } = [];

    static WireMock.Util.BodyData Body(string json) => new()
    {
        BodyAsString = json,
        DetectedBodyType = WireMock.Types.BodyType.String,
        Encoding = System.Text.Encoding.UTF8,
    };

    public void Dispose() => server.Stop();
}
