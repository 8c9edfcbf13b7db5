using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Catalyst.Domain.Auth;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Http.Auth;

/// <summary>
/// One Catalyst-Zero in session mode (Catalyst-signed sessions from a cookie secret, a handover signer, one operator by
/// email), on an Azurite of its own, with a Sovereign whose kubeconfig has arrived so every per-deployment route has
/// something to answer.
/// </summary>
public sealed class TenantApp : IAsyncLifetime
{
    public const string CookieSecret = "tenant-cookie-secret-0123456789abcdef-01";
    public const string OperatorEmail = "ops@catalyst.example";

    readonly string folder = Directory.CreateTempSubdirectory("tenants-").FullName;

    public AzuriteServer Azurite { get; private set; } = null!;
    public FakeCachedKindsApi Cluster { get; private set; } = null!;
    public AppProcess App { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteServer.StartAsync();
        Cluster = await FakeCachedKindsApi.StartAsync();
        Cluster.Access = (_, _, _, _) => true;
        // The Sovereign's API is a loopback fake, which only a sandbox may reach (issue 15).
        var settings = AppProcess.Sandboxed(AppProcess.TestSettings(Azurite, AppProcess.UniqueHubName("tenants")));
        foreach (var (k, v) in WizardBodies.OperatorSettings) settings[k] = v;
        settings["CATALYST_AUTH_MODE"] = "session";
        settings["CATALYST_SESSION_COOKIE_SECRET"] = CookieSecret;
        settings["CATALYST_HANDOVER_KEY_PATH"] = Path.Combine(folder, "handover.pem");
        settings["CATALYST_OPERATOR_EMAILS"] = OperatorEmail;
        settings["CATALYST_WIPE_WAIT"] = "1s";
        App = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings);
        await App.WaitHealthyAsync();
        Http = AuthHttp.RawClient(App);
    }

    /// <summary>A session cookie as this app issues them (HS256 with the key derived from the cookie secret).</summary>
    public static string Session(string subject, string email) =>
        new SessionCookies(CookieSecret, null).Encode(new SessionTokens(null, CookieSecret, AuthSettings.DefaultIssuer, TimeProvider.System).Issue(subject, email, "openova-user"));

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Cluster.DisposeAsync();
        await Azurite.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }
}

/// <summary>
/// Issue 14, through the real HTTP host: every route that acts on one deployment answers its owner and an operator,
/// answers anyone else exactly as for an unknown id (404), and anonymous callers 401; the list shows each user their own.
/// </summary>
public sealed class TenantIsolationTests(TenantApp tenants) : IClassFixture<TenantApp>
{
    readonly string alice = TenantApp.Session("alice-sub", "alice@tenant-a.example");
    readonly string mallory = TenantApp.Session("mallory-sub", "mallory@tenant-b.example");
    readonly string ops = TenantApp.Session("ops-sub", TenantApp.OperatorEmail);
    HttpClient Http => tenants.Http;

    /// <summary>A ready Sovereign owned by alice, with its kubeconfig received and its cluster registered.</summary>
    async Task<string> AlicesSovereignAsync()
    {
        var blobs = new BlobServiceClient(tenants.Azurite.ConnectionString);
        var id = DeploymentId.New();
        var bearer = KubeconfigBearer.New();
        Assert.True(await new DeploymentStore(blobs).CreateAsync(new DeploymentRecord
        {
            Id = id, Status = DeploymentStatuses.Ready, Request = new DeploymentRequest { SovereignFqdn = "alice.omani.works", OrgEmail = "alice@tenant-a.example" },
            Result = new DeploymentResult { SovereignFqdn = "alice.omani.works" },
            StartedAt = DateTimeOffset.UtcNow.AddHours(-1), FinishedAt = DateTimeOffset.UtcNow.AddHours(-1),
            KubeconfigBearerHash = KubeconfigBearer.Hash(bearer), Owner = new DeploymentOwner("alice-sub", "alice@tenant-a.example"),
        }));
        // The postback keeps its own credential and stays outside the session gate.
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/deployments/{id}/kubeconfig") { Content = new StringContent(tenants.Cluster.Kubeconfig()) };
        put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await Http.SendAsync(put);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return id;
    }

    /// <summary>Every route under /api/v1/deployments/{id} and /api/v1/sovereigns/{id}, except the postback (its bearer is its credential).</summary>
    static (HttpMethod Method, string Path)[] Routes(string id) =>
    [
        (HttpMethod.Get, $"/api/v1/deployments/{id}"),
        (HttpMethod.Get, $"/api/v1/deployments/{id}/events"),
        (HttpMethod.Get, $"/api/v1/deployments/{id}/logs"),
        (HttpMethod.Get, $"/api/v1/deployments/{id}/kubeconfig"),
        (HttpMethod.Get, $"/api/v1/deployments/{id}/components/state"),
        (HttpMethod.Post, $"/api/v1/deployments/{id}/mint-handover-token"),
        (HttpMethod.Post, $"/api/v1/deployments/{id}/phases/bp-cilium/retry"),
        (HttpMethod.Get, $"/api/v1/sovereigns/{id}/k8s/pod"),
        (HttpMethod.Get, $"/api/v1/sovereigns/{id}/k8s/sync"),
        (HttpMethod.Get, $"/api/v1/sovereigns/{id}/k8s/stream"),
        (HttpMethod.Get, $"/api/v1/deployments/{id}/jobs"),
        (HttpMethod.Get, $"/api/v1/deployments/{id}/jobs/batches"),
        (HttpMethod.Get, $"/api/v1/deployments/{id}/jobs/phase1"),
        (HttpMethod.Post, $"/api/v1/deployments/{id}/refresh-watch"),
        (HttpMethod.Delete, $"/api/v1/deployments/{id}/release-subdomain"),
        (HttpMethod.Post, $"/api/v1/deployments/{id}/wipe"),
    ];

    async Task<(HttpStatusCode Status, string Body)> CallAsync(HttpMethod method, string path, string? cookie, params (string, string)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        if (cookie is not null) request.Headers.Add("Cookie", $"catalyst_session={cookie}");
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        // Streams answer their headers first and then stay open: the status is what this test is about.
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var streaming = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
        return (response.StatusCode, streaming ? "" : await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OnlyTheOwnerAndOperatorsReachADeploymentAndEveryoneElseIsToldItDoesNotExist()
    {
        var id = await AlicesSovereignAsync();
        var unknown = DeploymentId.New();
        var before = await new DeploymentStore(new BlobServiceClient(tenants.Azurite.ConnectionString)).GetAsync(id);

        foreach (var ((method, path), (_, unknownPath)) in Routes(id).Zip(Routes(unknown)))
        {
            // Another tenant, even one claiming to be alice through the headers a proxy would set: the body an unknown id gets.
            var stranger = await CallAsync(method, path, mallory, ("X-Forwarded-User", "alice-sub"), ("X-Forwarded-Email", "alice@tenant-a.example"));
            Assert.True(stranger.Status == HttpStatusCode.NotFound, $"{method} {path}: mallory got {(int)stranger.Status} {stranger.Body}");
            var asUnknown = await CallAsync(method, unknownPath, ops);
            if (!path.EndsWith("/logs", StringComparison.Ordinal) && !path.EndsWith("/stream", StringComparison.Ordinal))
                Assert.Equal(asUnknown.Body.Replace(unknown, id), stranger.Body);

            var anonymous = await CallAsync(method, path, null);
            Assert.True(anonymous.Status == HttpStatusCode.Unauthorized, $"{method} {path}: anonymous got {(int)anonymous.Status}");
        }
        // Nothing the stranger sent changed the deployment: no wipe, no retry, no event.
        var after = await new DeploymentStore(new BlobServiceClient(tenants.Azurite.ConnectionString)).GetAsync(id);
        Assert.Equal((before!.Status, before.Run), (after!.Status, after.Run));
        Assert.DoesNotContain(await new EventLog(new BlobServiceClient(tenants.Azurite.ConnectionString), new Redactor([])).ReadAsync(id), e => e.Phase == AuditEvents.Phase);

        // Each on a Sovereign of alice's own: the last route wipes it.
        foreach (var who in new[] { alice, ops })
            foreach (var (method, path) in Routes(who == alice ? id : await AlicesSovereignAsync()))
            {
                var answer = await CallAsync(method, path, who);
                // The fake cluster serves no HelmReleases, so a refresh cannot list them; what matters here is that it was let through.
                var refused = path.EndsWith("/refresh-watch", StringComparison.Ordinal) && answer.Status is HttpStatusCode.Conflict or HttpStatusCode.GatewayTimeout;
                Assert.True(answer.Status is HttpStatusCode.OK or HttpStatusCode.Accepted || refused, $"{method} {path}: {(who == alice ? "owner" : "operator")} got {(int)answer.Status} {answer.Body}");
            }
    }

    /// <summary>The executions route names no deployment in its path: it checks the owner of the one its id names itself.</summary>
    [Fact]
    public async Task AnExecutionsLogsAreTheOwnersAndAStrangerIsToldTheyDoNotExist()
    {
        var id = await AlicesSovereignAsync();
        var path = $"/api/v1/actions/executions/{id}:phase1:1/logs";
        var owner = await CallAsync(HttpMethod.Get, path, alice);
        Assert.Equal(HttpStatusCode.OK, owner.Status);
        Assert.Contains("Kubeconfig received", owner.Body);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(HttpMethod.Get, path, ops)).Status);

        var stranger = await CallAsync(HttpMethod.Get, path, mallory);
        var unknown = await CallAsync(HttpMethod.Get, $"/api/v1/actions/executions/{DeploymentId.New()}:phase1:1/logs", ops);
        Assert.Equal((HttpStatusCode.NotFound, unknown.Body), (stranger.Status, stranger.Body));
        Assert.Equal((HttpStatusCode.NotFound, unknown.Body), await CallAsync(HttpMethod.Get, "/api/v1/actions/executions/not-an-execution/logs", ops));
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(HttpMethod.Get, path, null)).Status);
    }

    [Fact]
    public async Task EachUserListsTheirOwnAndAnOperatorListsAllOrOneOwners()
    {
        var id = await AlicesSovereignAsync();
        async Task<List<string>> ListAsync(string cookie, string query = "")
        {
            var (status, body) = await CallAsync(HttpMethod.Get, "/api/v1/deployments?limit=200" + query, cookie);
            Assert.Equal(HttpStatusCode.OK, status);
            return JsonNode.Parse(body)!["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToList();
        }

        // Mallory creates one through the API: the record is hers, and an Idempotency-Key alice also uses is not shared.
        using var created = await PostAsync(mallory, WizardBodies.Valid("mallory"), "shared-key");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var mallorys = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        // Were keys shared, alice would be told the key was used for another body (409), learning of mallory's request.
        using var alices = await PostAsync(alice, WizardBodies.Valid("alice2"), "shared-key");
        Assert.Equal(HttpStatusCode.Created, alices.StatusCode);
        Assert.False(alices.Headers.Contains("Idempotent-Replayed"));
        var alicesNew = JsonNode.Parse(await alices.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        Assert.NotEqual(mallorys, alicesNew);
        var record = await new DeploymentStore(new BlobServiceClient(tenants.Azurite.ConnectionString)).GetAsync(mallorys);
        Assert.Equal(new DeploymentOwner("mallory-sub", "mallory@tenant-b.example"), record!.Owner);

        var aliceSees = await ListAsync(alice);
        Assert.Contains(id, aliceSees);
        Assert.Contains(alicesNew, aliceSees);
        Assert.DoesNotContain(mallorys, aliceSees);
        Assert.Equal([mallorys], await ListAsync(mallory));
        // A non-operator's ?owner= is ignored: she still sees only her own.
        Assert.Equal([mallorys], await ListAsync(mallory, "&owner=alice@tenant-a.example"));
        var all = await ListAsync(ops);
        Assert.Superset(new HashSet<string> { id, mallorys, alicesNew }, all.ToHashSet());
        Assert.Equal([mallorys], await ListAsync(ops, "&owner=MALLORY@tenant-b.example"));
    }

    [Fact]
    public async Task HandingOverKubeconfigOrAWipeLeavesAnAuditEventNamingWhoAndNoTokenInTheTimeline()
    {
        var id = await AlicesSovereignAsync();
        var (minted, body) = await CallAsync(HttpMethod.Post, $"/api/v1/deployments/{id}/mint-handover-token", alice);
        Assert.Equal(HttpStatusCode.OK, minted);
        var token = JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
        // The token names the signed-in owner, whatever identity headers the client added.
        var claims = TestJwts.Payload(token);
        Assert.Equal(("alice-sub", "alice@tenant-a.example"), (claims.GetProperty("sub").GetString(), claims.GetProperty("email").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(HttpMethod.Get, $"/api/v1/deployments/{id}/kubeconfig", ops)).Status);

        var (_, events) = await CallAsync(HttpMethod.Get, $"/api/v1/deployments/{id}/events", alice);
        var audit = JsonNode.Parse(events)!["events"]!.AsArray().Where(e => e!["phase"]!.GetValue<string>() == AuditEvents.Phase)
            .Select(e => e!["message"]!.GetValue<string>()).ToList();
        Assert.Equal(2, audit.Count);
        Assert.StartsWith("alice@tenant-a.example (sub alice-sub) minted a handover token from 127.0.0.1", audit[0]);
        Assert.StartsWith($"{TenantApp.OperatorEmail} (sub ops-sub, operator) downloaded the admin kubeconfig from 127.0.0.1", audit[1]);
        Assert.DoesNotContain(token, events);
        Assert.Contains("Audit: alice@tenant-a.example (sub alice-sub) minted a handover token for deployment " + id, tenants.App.Output);
        Assert.DoesNotContain(token, tenants.App.Output);
    }

    [Fact]
    public async Task ARetryNamesOnlyAKnownPhaseAndLeavesOneEventPerRun()
    {
        var id = await AlicesSovereignAsync();
        async Task<List<string>> TimelineAsync() =>
            JsonNode.Parse((await CallAsync(HttpMethod.Get, $"/api/v1/deployments/{id}/events", alice)).Body)!["events"]!.AsArray()
                .Select(e => e!["message"]!.GetValue<string>()).ToList();
        var before = await TimelineAsync();

        // Issue 15: the caller's text never reaches the timeline.
        var phishing = Uri.EscapeDataString("bp-Your Sovereign is suspended: sign in at https://evil.example");
        var (status, body) = await CallAsync(HttpMethod.Post, $"/api/v1/deployments/{id}/phases/{phishing}/retry", alice);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("unknown phase", JsonNode.Parse(body)!["error"]!.GetValue<string>());
        Assert.Equal(before, await TimelineAsync());

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(HttpMethod.Post, $"/api/v1/deployments/{id}/phases/bp-jetstream/retry", alice)).Status);
        var added = (await TimelineAsync()).Except(before).ToList();
        Assert.Equal(2, added.Count); // the runbook event and its audit event, once for the run
        Assert.Contains(added, m => m.StartsWith("Manual retry requested for nats-jetstream", StringComparison.Ordinal));
        Assert.Contains(added, m => m.StartsWith("alice@tenant-a.example (sub alice-sub) requested a retry of nats-jetstream", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IdentityHeadersAreIgnoredUnlessAnOperatorNamesTheProxysOne()
    {
        // Not configured (this app): a header claiming an identity is no identity at all.
        foreach (var header in new[] { "X-Forwarded-Email", "X-Forwarded-User", "X-Auth-Request-Email", "X-User-Email", "X-Remote-User" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(HttpMethod.Get, "/api/v1/whoami", null, (header, TenantApp.OperatorEmail))).Status);

        // Configured: the named header, and only it, identifies the caller (an authenticating proxy sets it).
        var settings = AppProcess.TestSettings(tenants.Azurite, AppProcess.UniqueHubName("proxy"));
        settings["CATALYST_AUTH_MODE"] = "session";
        settings["CATALYST_TRUSTED_IDENTITY_HEADER"] = "X-Auth-Request-Email";
        settings["CATALYST_OPERATOR_EMAILS"] = TenantApp.OperatorEmail;
        await using var proxied = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings);
        await proxied.WaitHealthyAsync();
        using var http = AuthHttp.RawClient(proxied);
        using (var who = await AuthHttp.GetAsync(http, "/api/v1/whoami", null, ("X-Auth-Request-Email", "carol@proxied.example")))
        {
            Assert.Equal(HttpStatusCode.OK, who.StatusCode);
            Assert.Equal("carol@proxied.example", JsonNode.Parse(await who.Content.ReadAsStringAsync())!["email"]!.GetValue<string>());
        }
        using (var other = await AuthHttp.GetAsync(http, "/api/v1/whoami", null, ("X-Forwarded-Email", "carol@proxied.example")))
            Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        // The owner rule applies to proxied identities too: carol is not alice.
        var id = await AlicesSovereignAsync();
        using (var refused = await AuthHttp.GetAsync(http, $"/api/v1/deployments/{id}", null, ("X-Auth-Request-Email", "carol@proxied.example")))
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        using (var owner = await AuthHttp.GetAsync(http, $"/api/v1/deployments/{id}", null, ("X-Auth-Request-Email", "alice@tenant-a.example")))
            Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
    }

    async Task<HttpResponseMessage> PostAsync(string cookie, JsonObject body, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deployments") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Add("Cookie", $"catalyst_session={cookie}");
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Http.SendAsync(request);
    }
}
