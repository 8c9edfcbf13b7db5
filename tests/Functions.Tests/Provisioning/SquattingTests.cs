using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Catalyst.Domain.Auth;
using Catalyst.Domain.Dns;
using Catalyst.Domain.Subdomains;
using Catalyst.Functions.Tests.Http.Auth;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>
/// A Catalyst-Zero in session mode whose applies never finish (the fake tofu stalls on its first resource until it is
/// interrupted), so every deployment created stays in progress: what issue 15's squatter would hold.
/// </summary>
public sealed class SquattingWorld : IAsyncLifetime
{
    public const string CookieSecret = "squatting-cookie-secret-0123456789abcdef";
    public ProvisioningWorld World { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        World = await ProvisioningWorld.CreateAsync();
        World.Settings["CATALYST_AUTH_MODE"] = "session";
        World.Settings["CATALYST_SESSION_COOKIE_SECRET"] = CookieSecret;
        World.Settings["FAKE_TOFU_HANG_AFTER_CREATES"] = "0";
        // Stalled applies must not take the slot a wipe's destroy needs.
        World.Settings["CATALYST_TOFU_MAX_PARALLEL"] = "16";
        World.Settings["CATALYST_WIPE_WAIT"] = "1s";
        await World.StartAppAsync();
        Http = AuthHttp.RawClient(World.App!);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await World.DisposeAsync();
    }

    public static string Session(string subject) =>
        new SessionCookies(CookieSecret, null).Encode(new SessionTokens(null, CookieSecret, AuthSettings.DefaultIssuer, TimeProvider.System)
            .Issue(subject, $"{subject}@squat.example", "openova-user"));

    public Task<HttpResponseMessage> PostAsync(string cookie, string path, object body) =>
        AuthHttp.SendAsync(Http, HttpMethod.Post, path, cookie, JsonContent.Create(body));

    public async Task<JsonObject> JsonAsync(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    public Task<Reservation?> ReservationAsync(string sub) =>
        new SubdomainReservations(new BlobServiceClient(World.Azurite.ConnectionString), TimeSpan.FromMinutes(30)).GetAsync("omani.works", sub, default);

    public async Task<int> ListedAsync(string cookie)
    {
        using var list = await AuthHttp.GetAsync(Http, "/api/v1/deployments?limit=200", cookie);
        return (await JsonAsync(list))["total"]!.GetValue<int>();
    }
}

/// <summary>Issue 15 through the real HTTP host: reserved and foreign names, refused tokens, the per-owner limit, and a
/// wipe of a deployment whose DNS step never ran.</summary>
public sealed class SquattingTests(SquattingWorld fixture) : IClassFixture<SquattingWorld>
{
    static string Label(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task ReservedAndForeignLabelsAreUnavailableAndRefusedAtCreate()
    {
        var dora = SquattingWorld.Session("dora");
        var foreign = Label("shop");
        fixture.World.Dynadot.ZoneOf("omani.works").Sub.Add(new FakeDynadot.Record(foreign, "CNAME", "shops.example"));

        foreach (var (sub, detail) in new[] { ("console", ReservedSubdomains.Detail), (foreign, SubdomainChecker.ForeignRecordsDetail) })
        {
            using var check = await fixture.PostAsync(dora, "/api/v1/subdomains/check", new { subdomain = sub, poolDomain = "omani.works" });
            var answer = await fixture.JsonAsync(check);
            Assert.Equal((HttpStatusCode.OK, false, "reserved", detail),
                (check.StatusCode, answer["available"]!.GetValue<bool>(), answer["reason"]!.GetValue<string>(), answer["detail"]!.GetValue<string>()));

            using var create = await fixture.PostAsync(dora, "/api/v1/deployments", WizardBodies.Valid(sub));
            var error = await fixture.JsonAsync(create);
            Assert.Equal((HttpStatusCode.Conflict, "subdomain-conflict", detail),
                (create.StatusCode, error["error"]!.GetValue<string>(), error["detail"]!.GetValue<string>()));
            Assert.Null(await fixture.ReservationAsync(sub));
        }
        Assert.Equal(0, await fixture.ListedAsync(dora));
    }

    [Fact]
    public async Task ATokenHetznerRefusesIsRefusedAndReservesNothing()
    {
        var erin = SquattingWorld.Session("erin");
        var madeUp = new string('w', 64);
        // The fake refuses it as Hetzner would, and accepts the real one.
        using (var refused = await fixture.PostAsync(erin, "/api/v1/credentials/validate", new { token = madeUp }))
            Assert.False((await fixture.JsonAsync(refused))["valid"]!.GetValue<bool>());
        using (var accepted = await fixture.PostAsync(erin, "/api/v1/credentials/validate", new { token = WizardBodies.HetznerToken }))
            Assert.True((await fixture.JsonAsync(accepted))["valid"]!.GetValue<bool>());

        var sub = Label("squat");
        var body = WizardBodies.Valid(sub);
        body["hetznerToken"] = madeUp;
        using var create = await fixture.PostAsync(erin, "/api/v1/deployments", body);
        var error = await fixture.JsonAsync(create);
        Assert.Equal((HttpStatusCode.BadRequest, "token rejected — ensure it has Read & Write permissions"), (create.StatusCode, error["error"]!.GetValue<string>()));
        Assert.Null(await fixture.ReservationAsync(sub));
        Assert.Equal(0, await fixture.ListedAsync(erin));
        Assert.DoesNotContain(madeUp, fixture.World.App!.Output);
    }

    [Fact]
    public async Task TheFourthConcurrentDeploymentInProgressOfOneOwnerIs429AndNamesWaitForTheApply()
    {
        var alice = SquattingWorld.Session("alice");
        var labels = Enumerable.Range(0, 4).Select(i => Label($"q{i}")).ToList();
        var responses = await Task.WhenAll(labels.Select(l => fixture.PostAsync(alice, "/api/v1/deployments", WizardBodies.Valid(l))));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        var tooMany = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.TooManyRequests);
        var error = await fixture.JsonAsync(tooMany);
        Assert.Equal("too-many-deployments-in-progress", error["error"]!.GetValue<string>());
        Assert.Contains("3", error["detail"]!.GetValue<string>());
        var refusedLabel = labels[Array.IndexOf(responses, tooMany)];
        Assert.Null(await fixture.ReservationAsync(refusedLabel));
        Assert.Equal(3, await fixture.ListedAsync(alice));

        // The three applies are running (and stalled): their names are held, not committed, so they lapse if the runs fail.
        await Wait.UntilAsync(() => fixture.World.TofuPidsOf("apply").Count >= 3, TimeSpan.FromSeconds(90), "three applies to start");
        foreach (var label in labels.Where(l => l != refusedLabel))
        {
            var reservation = await fixture.ReservationAsync(label);
            Assert.Equal(Reservation.Reserved, reservation!.State);
            Assert.NotNull(reservation.ExpiresAt);
        }
        using (var again = await fixture.PostAsync(alice, "/api/v1/deployments", WizardBodies.Valid(Label("q"))))
            Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);

        // The limit is per owner.
        using var bobs = await fixture.PostAsync(SquattingWorld.Session("bob"), "/api/v1/deployments", WizardBodies.Valid(Label("bob")));
        Assert.Equal(HttpStatusCode.Created, bobs.StatusCode);
        foreach (var r in responses) r.Dispose();
    }

    [Fact]
    public async Task WipingADeploymentWhoseDnsNeverRanLeavesTheZoneByteForByte()
    {
        var carol = SquattingWorld.Session("carol");
        var sub = Label("never");
        using var create = await fixture.PostAsync(carol, "/api/v1/deployments", WizardBodies.Valid(sub));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var id = (await fixture.JsonAsync(create))["id"]!.GetValue<string>();

        // Someone else's records at the Sovereign's names (the pre-issue-15 unpublish removed every one of them).
        var zone = fixture.World.Dynadot.ZoneOf("omani.works");
        zone.Sub.AddRange([new(sub, "A", "198.51.100.20"), new($"console.{sub}", "A", "198.51.100.20"), new($"*.{sub}", "CNAME", "elsewhere.example"),
            new($"api.{sub}", "TXT", "owner=someone-else")]);
        zone.Main.Add(new FakeDynadot.Record("", "MX", "mx1.mail.example", "10"));
        var before = (Main: zone.Main.ToList(), Sub: zone.Sub.ToList(), zone.Ttl);
        var rewritesBefore = fixture.World.Dynadot.CallsOf("set_dns2").Count(c => c["domain"] == "omani.works");

        using var wipe = await AuthHttp.SendAsync(fixture.Http, HttpMethod.Post, $"/api/v1/deployments/{id}/wipe", carol);
        Assert.True(wipe.IsSuccessStatusCode, $"wipe answered {(int)wipe.StatusCode}");
        try
        {
            await Wait.ForAsync(async () =>
            {
                using var get = await AuthHttp.GetAsync(fixture.Http, $"/api/v1/deployments/{id}", carol);
                var json = await fixture.JsonAsync(get);
                return json["status"]!.GetValue<string>() == "wiped" ? json : null;
            }, TimeSpan.FromSeconds(120), "the wipe to finish", TimeSpan.FromMilliseconds(250));
        }
        catch (TimeoutException e)
        {
            // What the app did meanwhile: without it a stuck wipe under load could not be told from a slow one.
            var log = string.Join("\n", fixture.World.App!.Output.Split('\n').TakeLast(150));
            throw new TimeoutException($"{e.Message}\napp log:\n{log}", e);
        }
        // A wiped deployment's wipe answers its report.
        using var again = await AuthHttp.SendAsync(fixture.Http, HttpMethod.Post, $"/api/v1/deployments/{id}/wipe", carol);
        Assert.Empty((await fixture.JsonAsync(again))["report"]!["dnsRemoved"]!.AsArray());

        Assert.Equal(before.Main, zone.Main);
        Assert.Equal(before.Sub, zone.Sub);
        Assert.Equal(before.Ttl, zone.Ttl);
        Assert.Equal(rewritesBefore, fixture.World.Dynadot.CallsOf("set_dns2").Count(c => c["domain"] == "omani.works"));
    }
}
