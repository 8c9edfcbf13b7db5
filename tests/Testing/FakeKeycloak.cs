using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace Catalyst.Testing;

/// <summary>
/// Keycloak as far as Catalyst's sign-in uses it (reference E.3), on 127.0.0.1, with state per realm: the service account's
/// client-credentials token, users (find by exact email, create with Location), groups (exact search, create, membership),
/// token exchange that impersonates a user with an RS256 access token signed by this fake's key, and the realm's JWKS.
/// Failure answers are switched on per test: <see cref="Exchange"/> and <see cref="FailUserCreate"/>. Admin calls need a
/// service-account token this fake issued, and the exchange needs the right client secret, so a client that sends the
/// wrong thing fails as against the real one.
/// </summary>
public sealed class FakeKeycloak : IDisposable
{
    public enum ExchangeMode { Issue, Unsupported, Forbidden, ServerError }

    public sealed class Realm
    {
        public ConcurrentDictionary<string, string> Users { get; } = new(StringComparer.OrdinalIgnoreCase); // email -> id
        public ConcurrentDictionary<string, string> Groups { get; } = new(StringComparer.Ordinal); // name -> id
        public ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> Members { get; } = new(); // user id -> group ids
        public ConcurrentDictionary<string, JsonObject> Created { get; } = new(); // user id -> representation sent
    }

    readonly WireMockServer server;
    readonly ConcurrentDictionary<string, bool> serviceTokens = new();
    readonly ConcurrentQueue<string> calls = new();

    public FakeKeycloak(string clientId = "catalyst-api-server", string clientSecret = "fake-kc-client-secret-0001")
    {
        ClientId = clientId;
        ClientSecret = clientSecret;
        server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort.Next()}"] });
        server.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher(".*"))).RespondWith(Response.Create().WithCallback(Handle));
    }

    public string Url => server.Urls[0];
    public string ClientId { get; }
    public string ClientSecret { get; }
    public RSA SigningKey { get; } = RSA.Create(2048);
    public string Kid { get; } = "fake-kc-" + Guid.NewGuid().ToString("N")[..8];
    public ConcurrentDictionary<string, Realm> Realms { get; } = new();
    public ExchangeMode Exchange { get; set; } = ExchangeMode.Issue;
    public bool FailUserCreate { get; set; }
    /// <summary>"METHOD /path" of every call, in order.</summary>
    public IReadOnlyList<string> Calls => calls.ToList();

    public Realm RealmOf(string name) => Realms.GetOrAdd(name, _ => new Realm());

    /// <summary>
    /// An access token as this Keycloak would issue it (for gate tests that need one without the exchange): issued by
    /// <paramref name="realm"/> at this fake's address, for <paramref name="audience"/> (aud and azp), with the realm
    /// roles given.
    /// </summary>
    public string AccessToken(string subject, string email, TimeSpan? lifetime = null, string realm = "openova", string audience = "catalyst-zero-ui",
        IReadOnlyList<string>? roles = null, IReadOnlyList<string>? groups = null) => TestJwts.Rs256(SigningKey, new Dictionary<string, object>
    {
        ["iss"] = $"{Url}/realms/{realm}", ["aud"] = audience, ["azp"] = audience,
        ["sub"] = subject, ["email"] = email, ["email_verified"] = true, ["preferred_username"] = email, ["typ"] = "Bearer",
        ["iat"] = TestJwts.Now, ["exp"] = TestJwts.Now + (long)(lifetime ?? TimeSpan.FromMinutes(5)).TotalSeconds,
        ["realm_access"] = new Dictionary<string, object> { ["roles"] = roles ?? ["default-roles-" + realm] },
        ["groups"] = groups ?? [],
    }, Kid);

    IResponseMessage Handle(IRequestMessage request)
    {
        var path = request.Path;
        calls.Enqueue($"{request.Method} {path}");
        var parts = path.Trim('/').Split('/');
        if (parts is ["realms", var r, "protocol", "openid-connect", "token"] && request.Method == "POST") return Token(r, RealmOf(r), HttpUtility.ParseQueryString(request.Body ?? ""));
        if (parts is ["realms", _, "protocol", "openid-connect", "certs"]) return Json(200, new JsonObject { ["keys"] = new JsonArray(JsonNode.Parse(TestJwts.PublicJwk(SigningKey, Kid))) });
        if (parts.Length < 3 || parts[0] != "admin" || parts[1] != "realms") return Json(404, new JsonObject { ["error"] = "not found" });
        var bearer = request.Headers?.TryGetValue("Authorization", out var auth) == true ? auth.ToString()!.Replace("Bearer ", "") : "";
        if (!serviceTokens.ContainsKey(bearer)) return Json(401, new JsonObject { ["error"] = "HTTP 401 Unauthorized" });
        var realm = RealmOf(parts[2]);
        var query = HttpUtility.ParseQueryString(new Uri(request.AbsoluteUrl).Query);
        return (request.Method, parts[3..]) switch
        {
            ("GET", ["users"]) => Json(200, new JsonArray(realm.Users.Where(u => query["exact"] == "true" && u.Key.Equals(query["email"], StringComparison.OrdinalIgnoreCase))
                .Select(u => (JsonNode)new JsonObject { ["id"] = u.Value, ["email"] = u.Key, ["username"] = u.Key }).ToArray())),
            ("POST", ["users"]) => CreateUser(realm, parts[2], JsonNode.Parse(request.Body!)!.AsObject()),
            ("GET", ["groups"]) => Json(200, new JsonArray(realm.Groups.Where(g => g.Key.Contains(query["search"] ?? "", StringComparison.OrdinalIgnoreCase))
                .Select(g => (JsonNode)new JsonObject { ["id"] = g.Value, ["name"] = g.Key, ["path"] = "/" + g.Key }).ToArray())),
            ("POST", ["groups"]) => Create(realm.Groups, JsonNode.Parse(request.Body!)!["name"]!.GetValue<string>(), $"{Url}/admin/realms/{parts[2]}/groups"),
            ("PUT", ["users", var user, "groups", var group]) when realm.Users.Values.Contains(user) && realm.Groups.Values.Contains(group) =>
                Join(realm, user, group),
            _ => Json(404, new JsonObject { ["error"] = "not found" }),
        };
    }

    IResponseMessage Token(string realmName, Realm realm, System.Collections.Specialized.NameValueCollection form)
    {
        if (form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
            return Json(401, new JsonObject { ["error"] = "unauthorized_client", ["error_description"] = "Invalid client or Invalid client credentials" });
        if (form["grant_type"] == "client_credentials")
        {
            var token = "sa-" + Guid.NewGuid().ToString("N");
            serviceTokens[token] = true;
            return Json(200, new JsonObject { ["access_token"] = token, ["expires_in"] = 300, ["token_type"] = "Bearer" });
        }
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:token-exchange" || !serviceTokens.ContainsKey(form["subject_token"] ?? ""))
            return Json(400, new JsonObject { ["error"] = "invalid_request" });
        switch (Exchange)
        {
            case ExchangeMode.Unsupported:
                return Json(400, new JsonObject { ["error"] = "invalid_request", ["error_description"] = "Parameter 'requested_subject' is not supported for standard token exchange" });
            case ExchangeMode.Forbidden:
                return Json(403, new JsonObject { ["error"] = "access_denied", ["error_description"] = "Client not allowed to exchange" });
            case ExchangeMode.ServerError:
                return Json(500, new JsonObject { ["error"] = "unknown_error" });
        }
        var userId = form["requested_subject"] ?? "";
        var email = realm.Users.FirstOrDefault(u => u.Value == userId).Key;
        if (email is null) return Json(400, new JsonObject { ["error"] = "invalid_token", ["error_description"] = "Invalid token" });
        return Json(200, new JsonObject
        {
            ["access_token"] = AccessToken(userId, email, realm: realmName, audience: form["audience"] ?? ClientId), ["refresh_token"] = "refresh-" + Guid.NewGuid().ToString("N"), ["expires_in"] = 300,
            ["audience"] = form["audience"],
        });
    }

    IResponseMessage CreateUser(Realm realm, string realmName, JsonObject user)
    {
        if (FailUserCreate) return Json(500, new JsonObject { ["error"] = "unknown_error" });
        var email = user["email"]!.GetValue<string>();
        var reply = Create(realm.Users, email, $"{Url}/admin/realms/{realmName}/users");
        realm.Created[realm.Users[email]] = user;
        return reply;
    }

    static IResponseMessage Create(ConcurrentDictionary<string, string> items, string name, string collection)
    {
        var id = Guid.NewGuid().ToString();
        if (!items.TryAdd(name, id)) return Json(409, new JsonObject { ["errorMessage"] = "exists" });
        var reply = (ResponseMessage)Json(201, null);
        reply.Headers = new Dictionary<string, WireMockList<string>> { ["Location"] = new(collection + "/" + id) };
        return reply;
    }

    static IResponseMessage Join(Realm realm, string user, string group)
    {
        realm.Members.GetOrAdd(user, _ => new())[group] = true;
        return new ResponseMessage { StatusCode = 204 };
    }

    static IResponseMessage Json(int status, JsonNode? body) => new ResponseMessage
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = body is null ? null : new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
    };

    public void Dispose()
    {
        server.Stop();
        server.Dispose();
        SigningKey.Dispose();
    }
}
