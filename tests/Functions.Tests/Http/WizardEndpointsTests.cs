using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Catalyst.Domain.Dns;
using Catalyst.Domain.Subdomains;
using Catalyst.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Catalyst.Functions.Tests.Http;

/// <summary>One standalone app on Azurite with a fake Hetzner and a fake Dynadot behind it, shared by the endpoint tests.</summary>
public sealed class WizardApp : IAsyncLifetime
{
    public const string HetznerToken = "hetzner-token-0123456789-0123456789-0123456789-0123456789-0123456789";
    public FakeDynadot Dynadot { get; } = new("user-dynadot-key-9876", "user-dynadot-secret-9876");
    public WireMockServer Hetzner { get; } = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort.Next()}"] });
    public FakeS3 ObjectStorage { get; } = new(ObjectStorageAccessKey, ObjectStorageSecretKey, "velero");
    public const string ObjectStorageAccessKey = "FAKEACCESSKEY0123456";
    public const string ObjectStorageSecretKey = "fake-object-storage-secret-0123456789abcdef";
    public AppProcess App { get; private set; } = null!;
    public AzuriteServer Azurite { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Hetzner.Given(Request.Create().WithPath("/v1/servers").WithHeader("Authorization", $"Bearer {HetznerToken}")).RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"servers\":[]}"));
        Hetzner.Given(Request.Create().WithPath("/v1/servers").WithHeader("Authorization", "Bearer *", WireMock.Matchers.MatchBehaviour.AcceptOnMatch)).AtPriority(10)
            .RespondWith(Response.Create().WithStatusCode(401));
        Azurite = await AzuriteServer.Shared;
        var settings = AppProcess.TestSettings(Azurite, AppProcess.UniqueHubName("wizard"));
        settings["CATALYST_HETZNER_API_BASE_URL"] = Hetzner.Urls[0];
        settings["CATALYST_DYNADOT_BASE_URL"] = Dynadot.Url;
        settings["CATALYST_OBJECT_STORAGE_ENDPOINT_TEMPLATE"] = ObjectStorage.Url;
        settings["DYNADOT_MANAGED_DOMAINS"] = "omani.works";
        // The pool zone is read by the availability check (issue 15): the operator's account is the fake's.
        Dynadot.AddZone("omani.works");
        settings["DYNADOT_API_KEY"] = Dynadot.Key;
        settings["DYNADOT_API_SECRET"] = Dynadot.Secret;
        App = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings);
        await App.WaitHealthyAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        Hetzner.Stop();
        Dynadot.Dispose();
        ObjectStorage.Dispose();
    }
}

/// <summary>Each wizard endpoint through the real HTTP pipeline of the standalone host (reference A.4, A.6, A.7, A.14).</summary>
public sealed class WizardEndpointsTests(WizardApp fixture) : IClassFixture<WizardApp>
{
    HttpClient Http => fixture.App.Http;

    static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, string path, string json)
    {
        using var response = await http.PostAsync(path, Body(json));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task CredentialsValidate()
    {
        var ok = await PostAsync(Http, "/api/v1/credentials/validate", $$"""{"token":"{{WizardApp.HetznerToken}}","provider":"hetzner"}""");
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal("""{"valid":true,"message":"read/write access confirmed"}""", ok.Body.GetRawText());

        var rejected = await PostAsync(Http, "/api/v1/credentials/validate", $$"""{"token":"{{new string('x', 64)}}"}""");
        Assert.Equal((HttpStatusCode.OK, false), (rejected.Status, rejected.Body.GetProperty("valid").GetBoolean()));

        var shortToken = await PostAsync(Http, "/api/v1/credentials/validate", """{"token":"short"}""");
        Assert.Equal(HttpStatusCode.BadRequest, shortToken.Status);
        Assert.Equal("token too short — Hetzner API tokens are at least 64 characters", shortToken.Body.GetProperty("message").GetString());

        using var malformed = await Http.PostAsync("/api/v1/credentials/validate", Body("{not json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("text/plain", malformed.Content.Headers.ContentType?.MediaType);
        Assert.Equal("invalid request body", (await malformed.Content.ReadAsStringAsync()).TrimEnd('\n'));
        Assert.DoesNotContain(WizardApp.HetznerToken, fixture.App.Output);
    }

    [Fact]
    public async Task ObjectStorageCredentialsValidate()
    {
        const string Path = "/api/v1/credentials/object-storage/validate";
        static string Keys(string region, string access, string secret) => $$"""{"region":"{{region}}","accessKey":"{{access}}","secretKey":"{{secret}}"}""";
        var (access, secret) = (WizardApp.ObjectStorageAccessKey, WizardApp.ObjectStorageSecretKey);

        // A ListBuckets the fake verified (SigV4 with the secret), scoped to the region asked.
        var ok = await PostAsync(Http, Path, Keys("nbg1", access, secret));
        Assert.Equal((HttpStatusCode.OK, """{"valid":true,"message":"S3 access confirmed"}"""), (ok.Status, ok.Body.GetRawText()));
        Assert.Contains("nbg1", fixture.ObjectStorage.SignedRegions);

        const string Rejected = "credentials rejected — issue a fresh access/secret pair in Hetzner Console → Object Storage → Manage Credentials";
        foreach (var wrong in new[] { Keys("fsn1", "UNKNOWNACCESSKEY0000", secret), Keys("hel1", access, secret[..^1] + "X") })
        {
            var refused = await PostAsync(Http, Path, wrong);
            Assert.Equal((HttpStatusCode.OK, false, Rejected), (refused.Status, refused.Body.GetProperty("valid").GetBoolean(), refused.Body.GetProperty("message").GetString()));
        }

        foreach (var (body, message) in new[]
        {
            (Keys(" ", access, secret), "object storage region is required (fsn1, nbg1, or hel1)"),
            (Keys("ash", access, secret), "region must be one of fsn1 / nbg1 / hel1 (Hetzner Object Storage is European-only as of 2026-04)"),
            (Keys("fsn1", "short", secret), "access key too short — Hetzner Object Storage keys are at least 16 characters"),
            (Keys("fsn1", access, "short"), "secret key too short — Hetzner Object Storage secrets are at least 32 characters"),
            ("{not json", "invalid request body"),
        })
        {
            var bad = await PostAsync(Http, Path, body);
            Assert.Equal((HttpStatusCode.BadRequest, false, message), (bad.Status, bad.Body.GetProperty("valid").GetBoolean(), bad.Body.GetProperty("message").GetString()));
        }

        fixture.ObjectStorage.FailWith = 503;
        try
        {
            var down = await PostAsync(Http, Path, Keys("fsn1", access, secret));
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "could not reach Hetzner Object Storage — check status.hetzner.com or retry"),
                (down.Status, down.Body.GetProperty("message").GetString()));
        }
        finally
        {
            fixture.ObjectStorage.FailWith = null;
        }
        Assert.DoesNotContain(secret, fixture.App.Output);
        Assert.DoesNotContain(secret[..^1] + "X", fixture.App.Output);
    }

    [Fact]
    public async Task SubdomainsCheck()
    {
        var sub = "e2e" + Guid.NewGuid().ToString("N")[..10];
        var free = await PostAsync(Http, "/api/v1/subdomains/check", $$"""{"subdomain":"{{sub}}","poolDomain":"omani.works"}""");
        Assert.Equal(HttpStatusCode.OK, free.Status);
        Assert.Equal($$"""{"available":true,"fqdn":"{{sub}}.omani.works"}""", free.Body.GetRawText());

        // A reservation made by anyone sharing the storage account is seen at once.
        var store = new SubdomainReservations(new BlobServiceClient(fixture.Azurite.ConnectionString), TimeSpan.FromMinutes(30));
        await store.ReserveAsync("omani.works", sub, "0123456789abcdef", default);
        var reserved = await PostAsync(Http, "/api/v1/subdomains/check", $$"""{"subdomain":"{{sub}}","poolDomain":"omani.works"}""");
        Assert.Equal((false, "reserved"), (reserved.Body.GetProperty("available").GetBoolean(), reserved.Body.GetProperty("reason").GetString()));

        // Issue 15: OpenOva's own names, and names that already hold records nobody published through Catalyst.
        var console = await PostAsync(Http, "/api/v1/subdomains/check", """{"subdomain":"console","poolDomain":"omani.works"}""");
        Assert.Equal((false, "reserved", ReservedSubdomains.Detail, "console.omani.works"), (console.Body.GetProperty("available").GetBoolean(),
            console.Body.GetProperty("reason").GetString(), console.Body.GetProperty("detail").GetString(), console.Body.GetProperty("fqdn").GetString()));
        var foreign = "f" + Guid.NewGuid().ToString("N")[..10];
        fixture.Dynadot.ZoneOf("omani.works").Sub.Add(new FakeDynadot.Record($"mail.{foreign}", "MX", "mx.example", "10"));
        var held = await PostAsync(Http, "/api/v1/subdomains/check", $$"""{"subdomain":"{{foreign}}","poolDomain":"omani.works"}""");
        Assert.Equal((false, "reserved", SubdomainChecker.ForeignRecordsDetail),
            (held.Body.GetProperty("available").GetBoolean(), held.Body.GetProperty("reason").GetString(), held.Body.GetProperty("detail").GetString()));

        var invalid = await PostAsync(Http, "/api/v1/subdomains/check", """{"subdomain":"9lives","poolDomain":"omani.works"}""");
        Assert.Equal(HttpStatusCode.OK, invalid.Status);
        Assert.Equal("invalid-format", invalid.Body.GetProperty("reason").GetString());

        var badJson = await PostAsync(Http, "/api/v1/subdomains/check", "{");
        Assert.Equal(HttpStatusCode.BadRequest, badJson.Status);
        Assert.Equal("""{"available":false,"reason":"invalid-format","detail":"request body could not be parsed as JSON"}""", badJson.Body.GetRawText());
    }

    [Fact]
    public async Task SshKeyGenerate()
    {
        var (status, body) = await PostAsync(Http, "/api/v1/sshkey/generate", """{"fqdn":"omantel.omani.works"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Matches("^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ catalyst@omantel.omani.works$", body.GetProperty("publicKey").GetString());
        var privateKey = body.GetProperty("privateKey").GetString()!;
        Assert.StartsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n", privateKey);
        var fingerprint = body.GetProperty("fingerprint").GetString()!;
        Assert.StartsWith("SHA256:", fingerprint);

        using var empty = await Http.PostAsync("/api/v1/sshkey/generate", null);
        Assert.EndsWith(" catalyst", (await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey").GetString());
        var injected = await PostAsync(Http, "/api/v1/sshkey/generate", """{"fqdn":"x\nssh-ed25519 AAAA attacker"}""");
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-fqdn"), (injected.Status, injected.Body.GetProperty("error").GetString()));

        await Wait.UntilAsync(() => fixture.App.Output.Contains(fingerprint), TimeSpan.FromSeconds(10), "the fingerprint to be logged");
        var secretLine = privateKey.Split('\n')[1];
        Assert.DoesNotContain(secretLine, fixture.App.Output);
    }

    [Fact]
    public async Task RegistrarValidateAndSetNs()
    {
        var domain = "byo" + Guid.NewGuid().ToString("N")[..8] + ".com";
        fixture.Dynadot.AddZone(domain);
        var token = $"{fixture.Dynadot.Key}:{fixture.Dynadot.Secret}";

        var valid = await PostAsync(Http, "/api/v1/registrar/Dynadot/validate", $$"""{"domain":"{{domain}}","token":"{{token}}"}""");
        Assert.Equal((HttpStatusCode.OK, true), (valid.Status, valid.Body.GetProperty("valid").GetBoolean()));
        var wrong = await PostAsync(Http, "/api/v1/registrar/dynadot/validate", $$"""{"domain":"{{domain}}","token":"{{fixture.Dynadot.Key}}:wrong-secret"}""");
        Assert.Equal((HttpStatusCode.OK, false), (wrong.Status, wrong.Body.GetProperty("valid").GetBoolean()));

        var set = await PostAsync(Http, "/api/v1/registrar/dynadot/set-ns", $$"""{"domain":"{{domain}}","token":"{{token}}","nameservers":["ns1.omantel.omani.works","ns2.omantel.omani.works"]}""");
        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal(["ns1.omantel.omani.works", "ns2.omantel.omani.works"], fixture.Dynadot.ZoneOf(domain).Nameservers);

        await Wait.UntilAsync(() => fixture.App.Output.Contains(domain), TimeSpan.FromSeconds(10), "the registrar call to be logged");
        Assert.DoesNotContain(fixture.Dynadot.Secret, fixture.App.Output);
        Assert.DoesNotContain(fixture.Dynadot.Key, fixture.App.Output);
    }

    [Theory]
    [InlineData("route53", "validate", """{"domain":"a.com","token":"t"}""", 404, "unsupported-registrar", "registrar adapter not available")]
    [InlineData("cloudflare", "set-ns", """{"domain":"a.com","token":"t"}""", 404, "unsupported-registrar", "registrar adapter not available")]
    [InlineData("dynadot", "validate", "[1,2", 400, "invalid-body", "request body must be JSON {domain, token}")]
    [InlineData("dynadot", "validate", """{"domain":"","token":"t"}""", 422, "missing-domain", "domain is required")]
    [InlineData("dynadot", "validate", """{"domain":"a.com","token":""}""", 422, "missing-token", "registrar API credentials are required")]
    [InlineData("dynadot", "set-ns", """{"domain":"a.com","token":"t","nameservers":[]}""", 422, "missing-nameservers", "nameservers must be a non-empty array")]
    public async Task RegistrarErrors(string registrar, string action, string json, int status, string error, string detail)
    {
        var (code, body) = await PostAsync(Http, $"/api/v1/registrar/{registrar}/{action}", json);
        Assert.Equal(status, (int)code);
        Assert.Equal($$"""{"error":"{{error}}","detail":"{{detail}}"}""", body.GetRawText());
    }

    [Theory]
    [InlineData("validate", "validation request body must be under 16KB")]
    [InlineData("set-ns", "set-ns request body must be under 16KB")]
    public async Task RegistrarBodiesAreCappedAt16KiB(string action, string detail)
    {
        var json = $$"""{"domain":"a.com","token":"{{new string('t', 16 * 1024)}}"}""";
        var (code, body) = await PostAsync(Http, $"/api/v1/registrar/dynadot/{action}", json);
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal($$"""{"error":"request-too-large","detail":"{{detail}}"}""", body.GetRawText());
    }
}
