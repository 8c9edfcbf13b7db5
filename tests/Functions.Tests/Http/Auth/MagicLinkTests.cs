using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Catalyst.Domain.Auth;
using Catalyst.Functions.Hosting;
using Catalyst.Testing;
using MimeKit;

namespace Catalyst.Functions.Tests.Http.Auth;

/// <summary>
/// Magic-link sign-in end to end (reference E.4 Option B, the original's auth_magic tests): a real SMTP server receives the
/// email, the link starts a session the gate accepts, and the link works once.
/// </summary>
[Collection(ZeroCollection.Name)]
public sealed partial class MagicLinkTests(ZeroApp zero)
{
    HttpClient Http => zero.Http;

    [GeneratedRegex(@"https://console\.zero\.test/sovereign/api/v1/auth/magic\?token=\S+")]
    private static partial Regex LinkPattern();

    public static async Task<string> RequestLinkAsync(ZeroApp zero, string email)
    {
        var before = zero.Smtp.Messages().Count;
        using var response = await zero.Http.PostAsync("/api/v1/auth/magic-link", new StringContent(JsonSerializer.Serialize(new { email }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"ok":true}""", await response.Content.ReadAsStringAsync());
        var message = await Wait.ForAsync(() => Task.FromResult(zero.Smtp.Messages().Skip(before).FirstOrDefault(m => m.RcptTo.Contains(email))),
            TimeSpan.FromSeconds(30), $"the sign-in email to {email}");
        var mime = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(message.Raw)));
        return LinkPattern().Match(mime.TextBody ?? "").Value;
    }

    /// <summary>What the ingress forwards: the public URL's /sovereign prefix stripped.</summary>
    public static string LocalPath(string link) => link[ZeroApp.PublicUrl.Length..];

    [Fact]
    public async Task RequestReadFollowWhoamiThenTheSameLinkIsRefused()
    {
        const string email = "wizard-user@acme.example";
        var link = await RequestLinkAsync(zero, email);
        var message = zero.Smtp.Messages().Last(m => m.RcptTo.Contains(email));
        Assert.Equal(("noreply@openova.io", ZeroApp.SmtpUser), (message.MailFrom, message.User));
        var mime = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(message.Raw)));
        Assert.Equal("\"OpenOva Platform\" <noreply@openova.io>", mime.From.ToString());
        Assert.Equal("Your OpenOva sign-in link", mime.Subject);
        Assert.Contains("This link expires in 15 minutes.", mime.TextBody);

        using var signIn = await Http.GetAsync(LocalPath(link));
        Assert.Equal(HttpStatusCode.Found, signIn.StatusCode);
        Assert.Equal("/sovereign/wizard", signIn.Headers.Location?.OriginalString);
        var session = AuthHttp.SetCookies(signIn).Single(c => c.StartsWith("catalyst_session=", StringComparison.Ordinal));
        Assert.EndsWith("; Max-Age=300; Domain=console.zero.test; Path=/; HttpOnly; Secure; SameSite=Strict", session);
        Assert.Contains(AuthHttp.SetCookies(signIn), c => c.StartsWith("catalyst_refresh=refresh-", StringComparison.Ordinal));

        var cookie = AuthHttp.CookieValue(signIn, "catalyst_session")!;
        var userId = zero.Keycloak.RealmOf("openova").Users[email];
        using var whoami = await AuthHttp.GetAsync(Http, "/api/v1/whoami", cookie);
        Assert.Equal(HttpStatusCode.OK, whoami.StatusCode);
        Assert.Equal($$"""{"email":"{{email}}","sub":"{{userId}}","verified":true}""", await whoami.Content.ReadAsStringAsync());
        Assert.True(zero.Keycloak.RealmOf("openova").Members[userId].ContainsKey(zero.Keycloak.RealmOf("openova").Groups["openova-users"]));

        using var again = await Http.GetAsync(LocalPath(link));
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        Assert.Equal("/sovereign/login?error=token_replayed", again.Headers.Location?.OriginalString);
        Assert.Empty(AuthHttp.SetCookies(again));

        using var signOut = await AuthHttp.SendAsync(Http, HttpMethod.Delete, "/api/v1/auth/session", cookie);
        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Contains(AuthHttp.SetCookies(signOut), c => c.StartsWith("catalyst_session=; Max-Age=0", StringComparison.Ordinal) && c.Contains("Domain=console.zero.test"));

        foreach (var secret in new[] { ZeroApp.SmtpPassword, ZeroApp.CookieSecret, zero.Keycloak.ClientSecret, cookie, link[(link.IndexOf('=') + 1)..] })
            Assert.DoesNotContain(secret, zero.App.Output);
    }

    [Fact]
    public async Task WhenKeycloakRefusesTheExchangeTheSessionIsCatalystSigned()
    {
        var link = await RequestLinkAsync(zero, "fallback-user@acme.example");
        HttpResponseMessage signIn;
        try
        {
            zero.Keycloak.Exchange = FakeKeycloak.ExchangeMode.Unsupported;
            signIn = await Http.GetAsync(LocalPath(link));
        }
        finally
        {
            zero.Keycloak.Exchange = FakeKeycloak.ExchangeMode.Issue;
        }
        using var _ = signIn;
        Assert.Equal(HttpStatusCode.Found, signIn.StatusCode);
        var cookie = AuthHttp.CookieValue(signIn, "catalyst_session")!;
        var inner = cookie[..cookie.LastIndexOf('.')];
        Assert.Equal("RS256", TestJwts.Header(inner).GetProperty("alg").GetString());
        var claims = TestJwts.Payload(inner);
        Assert.Equal(("session", "openova-user", "fallback-user@acme.example"),
            (claims.GetProperty("typ").GetString(), claims.GetProperty("role").GetString(), claims.GetProperty("email").GetString()));
        using var whoami = await AuthHttp.GetAsync(Http, "/api/v1/whoami", cookie);
        Assert.Equal(HttpStatusCode.OK, whoami.StatusCode);
    }

    [Fact]
    public async Task RefusalsRedirectToLoginOrAnswerWithTheOriginalsMessage()
    {
        foreach (var body in new[] { """{"email":""}""", """{"email":"not-an-address"}""", "{not json", """{"email":"a@b.c\r\nBcc: x@y.z"}""" })
        {
            using var bad = await Http.PostAsync("/api/v1/auth/magic-link", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("email required", JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        }

        using var key = RSA.Create();
        key.ImportFromPem(File.ReadAllText(zero.KeyPath));
        Dictionary<string, object> Claims(Action<Dictionary<string, object>>? change = null)
        {
            var claims = new Dictionary<string, object>
            {
                ["iss"] = "https://console.openova.io", ["aud"] = new[] { ZeroApp.PublicUrl + "/api/v1/auth/magic" }, ["sub"] = "u-1",
                ["iat"] = TestJwts.Now, ["exp"] = TestJwts.Now + 900, ["jti"] = Guid.NewGuid().ToString(), ["email"] = "u@acme.example",
                ["email_verified"] = true, ["role"] = "openova-user",
            };
            change?.Invoke(claims);
            return claims;
        }
        var cases = new (string? Token, HttpStatusCode Status, string Expected)[]
        {
            (null, HttpStatusCode.SeeOther, "/sovereign/login?error=missing_token"),
            ("garbage", HttpStatusCode.SeeOther, "/sovereign/login?error=invalid_token"),
            (TestJwts.Rs256(key, Claims(c => c["exp"] = TestJwts.Now - 60)), HttpStatusCode.SeeOther, "/sovereign/login?error=invalid_token"),
            (TestJwts.Rs256(key, Claims(c => c["iss"] = "https://elsewhere")), HttpStatusCode.SeeOther, "/sovereign/login?error=invalid_issuer"),
            (TestJwts.Rs256(key, Claims(c => c["aud"] = "https://console.zero.test/sovereign/auth/magic")), HttpStatusCode.SeeOther, "/sovereign/login?error=invalid_audience"),
            (TestJwts.Rs256(key, Claims(c => c["role"] = "sovereign-admin")), HttpStatusCode.SeeOther, "/sovereign/login?error=insufficient_role"),
            (TestJwts.Rs256(key, Claims(c => c["email_verified"] = false)), HttpStatusCode.Unauthorized, "email not verified"),
            (TestJwts.Rs256(key, Claims(c => c.Remove("sub"))), HttpStatusCode.Unauthorized, "missing email or sub claim"),
            (TestJwts.Rs256(key, Claims(c => c.Remove("jti"))), HttpStatusCode.Unauthorized, "missing jti"),
        };
        foreach (var (token, status, expected) in cases)
        {
            using var response = await Http.GetAsync(token is null ? "/api/v1/auth/magic" : $"/api/v1/auth/magic?token={Uri.EscapeDataString(token)}");
            Assert.Equal(status, response.StatusCode);
            var actual = status == HttpStatusCode.SeeOther
                ? response.Headers.Location?.OriginalString
                : JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
            Assert.Equal(expected, actual);
        }

        // Keycloak failing to create the user at redemption: the handover's message, and no session.
        zero.Keycloak.FailUserCreate = true;
        try
        {
            using var failed = await Http.GetAsync($"/api/v1/auth/magic?token={Uri.EscapeDataString(TestJwts.Rs256(key, Claims(c => c["email"] = "kc-down@acme.example")))}");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
            Assert.Equal("keycloak error: ensure user", JsonDocument.Parse(await failed.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
            Assert.Empty(AuthHttp.SetCookies(failed));
        }
        finally
        {
            zero.Keycloak.FailUserCreate = false;
        }
    }

    [Fact]
    public async Task RequestingALinkCreatesNoUserRedeemingItDoes()
    {
        var email = $"stranger-{Guid.NewGuid():N}@acme.example";
        var realm = zero.Keycloak.RealmOf("openova");
        var calls = zero.Keycloak.Calls.Count;
        var link = await RequestLinkAsync(zero, email);

        // Asking proves nothing about the mailbox: Keycloak is not called at all, and the link names the email.
        Assert.Empty(zero.Keycloak.Calls.Skip(calls));
        Assert.False(realm.Users.ContainsKey(email));
        var token = Uri.UnescapeDataString(link[(link.IndexOf('=') + 1)..]);
        Assert.Equal(email, TestJwts.Payload(token).GetProperty("sub").GetString());

        using var signIn = await Http.GetAsync(LocalPath(link));
        Assert.Equal(HttpStatusCode.Found, signIn.StatusCode);
        var userId = realm.Users[email];
        Assert.True(realm.Created[userId]["emailVerified"]!.GetValue<bool>());
        Assert.True(realm.Members[userId].ContainsKey(realm.Groups["openova-users"]));
        Assert.Contains($"POST /admin/realms/openova/users", zero.Keycloak.Calls.Skip(calls));
        using var whoami = await AuthHttp.GetAsync(Http, "/api/v1/whoami", AuthHttp.CookieValue(signIn, "catalyst_session"));
        Assert.Equal(userId, JsonDocument.Parse(await whoami.Content.ReadAsStringAsync()).RootElement.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task TheSixthLinkForOneEmailInAWindowIsRefusedWithRetryAfterAndSendsNoMail()
    {
        var email = $"Busy-{Guid.NewGuid():N}@acme.example";
        for (var i = 0; i < 5; i++)
            // The limit counts the address however it is spelt.
            await RequestLinkAsync(zero, i % 2 == 0 ? email : email.ToLowerInvariant());
        var sent = zero.Smtp.Messages().Count;

        using var refused = await Http.PostAsync("/api/v1/auth/magic-link", new StringContent(JsonSerializer.Serialize(new { email }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter?.Delta?.TotalSeconds;
        Assert.InRange(retryAfter ?? 0, 1, 900);
        var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("too-many-requests", body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("detail").GetString()));
        // The refusal is answered before any mail is sent, so the count is final when the response arrives.
        Assert.Equal(sent, zero.Smtp.Messages().Count);
    }

    [Fact]
    public async Task TheAddressLimitRefusesAcrossEmailsAndARefusalSpendsNothing()
    {
        // The throttle on the app's storage with the default limits (5 per email, 20 per address).
        using var services = zero.Services();
        var throttle = new MagicLinkThrottle(new BlobRateLimiter(services.GetRequiredService<StorageConnection>().Blobs, TimeProvider.System), MagicLinkLimits.Default);
        var client = new IPAddress(RandomNumberGenerator.GetBytes(4));
        var run = Guid.NewGuid().ToString("N");
        for (var i = 0; i < 20; i++)
            Assert.Null(await throttle.AcquireAsync($"user{i}-{run}@acme.example", client, CancellationToken.None));
        var victim = $"victim-{run}@acme.example";
        Assert.InRange(await throttle.AcquireAsync(victim, client, CancellationToken.None) ?? 0, 1, 900);

        // The address's refusal gave the email's admission back: the victim still has all five from elsewhere.
        var elsewhere = IPAddress.Parse("2001:db8::" + run[..4]);
        for (var i = 0; i < 5; i++) Assert.Null(await throttle.AcquireAsync(victim, elsewhere, CancellationToken.None));
        Assert.NotNull(await throttle.AcquireAsync(victim, elsewhere, CancellationToken.None));
    }
}
