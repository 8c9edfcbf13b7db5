using System.Net;
using Catalyst.Functions.Hosting;
using Catalyst.Testing;
using Microsoft.Extensions.Configuration;

namespace Catalyst.Functions.Tests.Http.Auth;

[CollectionDefinition(Name)]
public sealed class ZeroCollection : ICollectionFixture<ZeroApp>
{
    public const string Name = "catalyst-zero app";
}

/// <summary>
/// Catalyst-Zero's catalyst-api (the signer): a handover key generated on first start, the openova realm faked (and the
/// session gate on, against that realm's JWKS), a real SMTP server that requires a login, a cookie secret and domain.
/// </summary>
public sealed class ZeroApp : IAsyncLifetime
{
    public const string PublicUrl = "https://console.zero.test/sovereign";
    public const string CookieSecret = "zero-cookie-secret-0123456789abcdef-0001";
    public const string SmtpUser = "mailer";
    public const string SmtpPassword = "smtp-password-0123456789";

    readonly string folder = Directory.CreateTempSubdirectory("zero-").FullName;

    public FakeKeycloak Keycloak { get; } = new("catalyst-zero-server", "zero-kc-client-secret-0001");
    public SmtpSink Smtp { get; private set; } = null!;
    public AzuriteServer Azurite { get; private set; } = null!;
    public AppProcess App { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string KeyPath => Path.Combine(folder, "keys", "handover-jwt-private.pem");

    public async Task InitializeAsync()
    {
        Smtp = await SmtpSink.StartAsync(SmtpUser, SmtpPassword);
        Azurite = await AzuriteServer.Shared;
        var settings = AppProcess.TestSettings(Azurite, AppProcess.UniqueHubName("zero"));
        foreach (var (k, v) in Settings) settings[k] = v;
        App = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings);
        await App.WaitHealthyAsync();
        Http = AuthHttp.RawClient(App);
    }

    public Dictionary<string, string?> Settings => new()
    {
        ["CATALYST_AUTH_MODE"] = "session",
        ["CATALYST_HANDOVER_KEY_PATH"] = KeyPath,
        ["CATALYST_KC_ADDR"] = Keycloak.Url,
        ["CATALYST_OPENOVA_KC_SA_CLIENT_SECRET"] = Keycloak.ClientSecret,
        ["CATALYST_SMTP_HOST"] = "127.0.0.1",
        ["CATALYST_SMTP_PORT"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CATALYST_SMTP_USER"] = SmtpUser,
        ["CATALYST_SMTP_PASS"] = SmtpPassword,
        ["CATALYST_API_PUBLIC_URL"] = PublicUrl,
        ["CATALYST_POST_AUTH_REDIRECT"] = "/sovereign/wizard",
        ["CATALYST_SESSION_COOKIE_SECRET"] = CookieSecret,
        ["CATALYST_SESSION_COOKIE_DOMAIN"] = "console.zero.test",
        // Every test asks from 127.0.0.1: the per-address limit (default 20) would be spent by the collection as a whole.
        // Per-email stays at its default; MagicLinkTests checks both limits.
        ["CATALYST_MAGIC_LINK_PER_ADDRESS"] = "1000",
    };

    /// <summary>The app's services in this process, on the same storage and key, for activity-level tests.</summary>
    public ServiceProvider Services(Action<IServiceCollection>? extra = null, bool signer = true)
    {
        var values = new Dictionary<string, string?>(Settings)
        {
            ["AzureWebJobsStorage"] = Azurite.ConnectionString,
            ["CATALYST_VAULT_KEY"] = AppProcess.TestVaultKey,
            ["CATALYST_HANDOVER_KEY_PATH"] = signer ? KeyPath : null,
        };
        var services = new ServiceCollection().AddLogging().AddCatalyst(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        extra?.Invoke(services);
        return services.BuildServiceProvider();
    }

    /// <summary>Signs in through a magic link and returns the session cookie's value.</summary>
    public async Task<string> SignInAsync(string email)
    {
        var link = await MagicLinkTests.RequestLinkAsync(this, email);
        using var response = await Http.GetAsync(MagicLinkTests.LocalPath(link));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return AuthHttp.CookieValue(response, "catalyst_session")!;
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
        Keycloak.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}
