using System.Net;
using System.Security.Cryptography;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Http.Auth;

/// <summary>Helpers shared by the sign-in tests: a client that shows redirects and cookies as they are, and cookie reading.</summary>
public static class AuthHttp
{
    /// <summary>No redirects followed, no cookie jar: each test sends exactly the cookie it means to.</summary>
    public static HttpClient RawClient(AppProcess app) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public static IReadOnlyList<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];

    /// <summary>The value a Set-Cookie header gives <paramref name="name"/> (the first such header), or null.</summary>
    public static string? CookieValue(HttpResponseMessage response, string name) =>
        SetCookies(response).Where(c => c.StartsWith(name + "=", StringComparison.Ordinal)).Select(c => c[(name.Length + 1)..].Split(';')[0]).FirstOrDefault();

    public static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string? sessionCookie = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (sessionCookie is not null) request.Headers.Add("Cookie", $"catalyst_session={sessionCookie}");
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return await http.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string? sessionCookie = null, HttpContent? content = null,
        params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (sessionCookie is not null) request.Headers.Add("Cookie", $"catalyst_session={sessionCookie}");
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return await http.SendAsync(request);
    }
}

[CollectionDefinition(Name)]
public sealed class SovereignCollection : ICollectionFixture<SovereignApps>
{
    public const string Name = "sovereign apps";
}

/// <summary>
/// A Sovereign's catalyst-api (the handover verifier): SOVEREIGN_FQDN set, Catalyst-Zero's public key mounted as a JWK file,
/// the Sovereign's Keycloak faked, a cookie secret and no signing key of its own. A second instance on the same storage
/// has no Keycloak secret, for the replay-across-replicas and "keycloak not configured" checks. The first allows one
/// cross-origin origin, the second none (the default).
/// </summary>
public sealed class SovereignApps : IAsyncLifetime
{
    public const string Fqdn = "omantel.omani.works";
    public const string CookieSecret = "sovereign-cookie-secret-0123456789abcdef";
    /// <summary>The one origin <see cref="App"/> allows cross-origin (CORS_ORIGIN); <see cref="Replica"/> allows none (the default).</summary>
    public const string CorsOrigin = "https://console.openova.io";

    readonly string folder = Directory.CreateTempSubdirectory("sovereign-").FullName;

    /// <summary>Catalyst-Zero's handover key; the Sovereign knows only its public half.</summary>
    public RSA ZeroKey { get; } = RSA.Create(2048);
    public FakeKeycloak Keycloak { get; } = new();
    public AppProcess App { get; private set; } = null!;
    public AppProcess Replica { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public HttpClient ReplicaHttp { get; private set; } = null!;
    public string PublicKeyPath => Path.Combine(folder, "public.jwk");

    public async Task InitializeAsync()
    {
        File.WriteAllText(PublicKeyPath, TestJwts.PublicJwk(ZeroKey));
        var azurite = await AzuriteServer.Shared;
        Dictionary<string, string?> Settings(bool keycloakSecret)
        {
            var settings = AppProcess.TestSettings(azurite, AppProcess.UniqueHubName("sov"));
            settings["CATALYST_AUTH_MODE"] = "session";
            settings["SOVEREIGN_FQDN"] = Fqdn;
            settings["CATALYST_HANDOVER_JWT_PUBLIC_KEY_PATH"] = PublicKeyPath;
            settings["CATALYST_KC_ADDR"] = Keycloak.Url;
            settings["CATALYST_KC_REALM"] = "sovereign";
            settings["CATALYST_KC_SA_CLIENT_ID"] = Keycloak.ClientId;
            settings["CATALYST_KC_SA_CLIENT_SECRET"] = keycloakSecret ? Keycloak.ClientSecret : null;
            settings["CATALYST_SESSION_COOKIE_SECRET"] = CookieSecret;
            if (keycloakSecret) settings["CORS_ORIGIN"] = CorsOrigin;
            return settings;
        }
        var path = RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll");
        App = AppProcess.Start(path, Settings(keycloakSecret: true));
        Replica = AppProcess.Start(path, Settings(keycloakSecret: false));
        await Task.WhenAll(App.WaitHealthyAsync(), Replica.WaitHealthyAsync());
        Http = AuthHttp.RawClient(App);
        ReplicaHttp = AuthHttp.RawClient(Replica);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Replica.DisposeAsync();
        Keycloak.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}
