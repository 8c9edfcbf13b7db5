using System.Text;
using System.Text.RegularExpressions;
using Catalyst.Testing;
using Microsoft.Playwright;
using MimeKit;

namespace Catalyst.Console.Tests;

/// <summary>
/// With <c>CATALYST_AUTH_MODE=session</c> the console is public but its data is not: an anonymous visit lands on sign-in,
/// and the magic link (mailed to a real SMTP server, redeemed against a fake Keycloak) signs the browser in.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class SessionConsoleTests(ConsoleBrowser browser)
{
    [Fact]
    public async Task AnAnonymousVisitLandsOnSignInAndTheMagicLinkSignsIn()
    {
        await using var smtp = await SmtpSink.StartAsync("mailer", "smtp-password-0123456789");
        using var keycloak = new FakeKeycloak("catalyst-zero-server", "console-kc-client-secret-0001");
        var port = FreePort.Next();
        var url = $"http://127.0.0.1:{port}";
        var settings = AppProcess.TestSettings(await AzuriteServer.Shared, AppProcess.UniqueHubName("consoleauth"));
        settings["CATALYST_AUTH_MODE"] = "session";
        settings["CATALYST_SESSION_COOKIE_SECRET"] = "console-cookie-secret-0123456789abcdef-01";
        var keys = Directory.CreateTempSubdirectory("console-keys-").FullName;
        settings["CATALYST_HANDOVER_KEY_PATH"] = Path.Combine(keys, "handover-jwt-private.pem"); // magic links are signed with it
        settings["CATALYST_KC_ADDR"] = keycloak.Url;
        settings["CATALYST_OPENOVA_KC_SA_CLIENT_SECRET"] = keycloak.ClientSecret;
        settings["CATALYST_SMTP_HOST"] = "127.0.0.1";
        settings["CATALYST_SMTP_PORT"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["CATALYST_SMTP_USER"] = "mailer";
        settings["CATALYST_SMTP_PASS"] = "smtp-password-0123456789";
        settings["CATALYST_API_PUBLIC_URL"] = url;
        // Where a redeemed link lands: this console.
        settings["CATALYST_POST_AUTH_REDIRECT"] = "/";
        await using var app = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings, port);
        await app.WaitHealthyAsync();

        await AssertServedAsync(app.Http);

        var (context, page, errors) = await browser.NewPageAsync(url);
        await using var _ = context;
        await page.GotoAsync("/#/deployments/0123456789abcdef");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Catalyst" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "New Sovereign" })).ToHaveCountAsync(0);

        const string email = "console-user@acme.example";
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Email me a sign-in link" }).ClickAsync();
        await Assertions.Expect(page.Locator("#signin-message")).ToContainTextAsync($"Check {email}");
        var message = await smtp.WaitForMessageAsync(email, TimeSpan.FromSeconds(30));
        var mime = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(message.Raw)));
        var link = Link().Match(mime.TextBody ?? "").Value;
        Assert.StartsWith($"{url}/api/v1/auth/magic?token=", link);

        await page.GotoAsync(link);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Deployments" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#nav .who")).ToHaveTextAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Catalyst" })).ToBeVisibleAsync();
        Assert.Empty(errors);
        Directory.Delete(keys, recursive: true);
    }

    /// <summary>
    /// The page and its assets are outside the session gate, each with its caching rule: the page revalidated on every load,
    /// assets (named by their content hash) kept forever; both under the console's Content-Security-Policy.
    /// </summary>
    static async Task AssertServedAsync(HttpClient http)
    {
        using var page = await http.GetAsync("/");
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", page.Headers.CacheControl?.ToString());
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<meta name=\"catalyst-auth\" content=\"session\">", html);
        Assert.DoesNotContain("<script>", html); // no inline script: the CSP would refuse it
        using (var again = new HttpRequestMessage(HttpMethod.Get, "/"))
        {
            again.Headers.IfNoneMatch.Add(page.Headers.ETag!);
            using var notModified = await http.SendAsync(again);
            Assert.Equal(System.Net.HttpStatusCode.NotModified, notModified.StatusCode);
        }

        var app = AssetName().Match(html).Value;
        Assert.Matches(@"^/assets/app\.[0-9a-f]{10}\.js$", app);
        using var script = await http.GetAsync(app);
        Assert.Equal(System.Net.HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", script.Headers.CacheControl?.ToString());
        // Its imports name their siblings by hash too, so a changed module renames everything that imports it.
        Assert.Matches(@"from '\./api\.[0-9a-f]{10}\.js'", await script.Content.ReadAsStringAsync());
        var css = Regex.Match(html, @"/assets/style\.[0-9a-f]{10}\.css").Value;
        using var style = await http.GetAsync(css);
        Assert.Equal("text/css", style.Content.Headers.ContentType?.MediaType);
        using var unknown = await http.GetAsync("/assets/app.js");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
        using var api = await http.GetAsync("/api/v1/deployments");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, api.StatusCode); // the data stays behind the gate
    }

    [GeneratedRegex(@"/assets/app\.[0-9a-f]{10}\.js")]
    private static partial Regex AssetName();

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/api/v1/auth/magic\?token=\S+")]
    private static partial Regex Link();
}
