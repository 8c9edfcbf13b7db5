using System.Text.Json;
using Catalyst.Domain.Dns;
using Catalyst.Domain.Registrars;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Registrars;

/// <summary>BYO flow B with the user's own Dynadot token, against a fake Dynadot.</summary>
public sealed class DynadotRegistrarTests : IDisposable
{
    readonly FakeDynadot fake = new("user-key-abcdef", "user-secret-abcdef");
    readonly HttpClient http = new();

    public void Dispose()
    {
        http.Dispose();
        fake.Dispose();
    }

    DynadotRegistrar Registrar => new(new DynadotClient(http, new DynadotEndpoint(new Uri(fake.Url))));
    string Token => $"{fake.Key}:{fake.Secret}";

    static JsonElement Json(object body) => JsonSerializer.SerializeToElement(body);

    [Fact]
    public async Task ValidTokenForADomainInTheAccount()
    {
        fake.AddZone("customer.com");
        var answer = await Registrar.ValidateAsync(new RegistrarValidateRequest("customer.com", Token), default);
        Assert.Equal(200, answer.Status);
        Assert.True(Json(answer.Body).GetProperty("valid").GetBoolean());
        Assert.Equal("domain_info", Assert.Single(fake.Calls)["command"]);
    }

    [Theory]
    [InlineData("user-key-abcdef:wrong", "invalid-token")]
    [InlineData(":", "invalid-token")]
    public async Task RejectedToken(string token, string error)
    {
        fake.AddZone("customer.com");
        var answer = await Registrar.ValidateAsync(new RegistrarValidateRequest("customer.com", token), default);
        Assert.Equal(200, answer.Status);
        var body = Json(answer.Body);
        Assert.False(body.GetProperty("valid").GetBoolean());
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.DoesNotContain("wrong", body.GetRawText());
    }

    [Fact]
    public async Task DomainNotInTheAccount()
    {
        var answer = await Registrar.ValidateAsync(new RegistrarValidateRequest("elsewhere.com", Token), default);
        var body = Json(answer.Body);
        Assert.Equal((200, false, "domain-not-in-account"), (answer.Status, body.GetProperty("valid").GetBoolean(), body.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task SetNsValidatesThenSetsTheNameservers()
    {
        var zone = fake.AddZone("customer.com");
        var answer = await Registrar.SetNameserversAsync(new RegistrarSetNsRequest("customer.com", Token, ["ns1.omantel.omani.works", "ns2.omantel.omani.works"]), default);
        Assert.Equal(200, answer.Status);
        Assert.True(Json(answer.Body).GetProperty("success").GetBoolean());
        Assert.Equal(["ns1.omantel.omani.works", "ns2.omantel.omani.works"], zone.Nameservers);
        Assert.Equal(["domain_info", "set_ns"], fake.Calls.Select(c => c["command"]));
    }

    [Fact]
    public async Task SetNsWithABadTokenWritesNothing()
    {
        fake.AddZone("customer.com");
        var answer = await Registrar.SetNameserversAsync(new RegistrarSetNsRequest("customer.com", "nope:nope", ["ns1.x.io"]), default);
        Assert.Equal((401, "invalid-token"), (answer.Status, Json(answer.Body).GetProperty("error").GetString()));
        Assert.Empty(fake.CallsOf("set_ns"));
    }

    [Fact]
    public async Task SetNsRefusedByDynadotIsABadGatewayWithItsReason()
    {
        fake.AddZone("customer.com");
        fake.Intercept = q => q["command"] == "set_ns"
            ? (200, """{"SetNsResponse":{"ResponseCode":"-1","Status":"error","Error":"'ns1.x.io' needs to be registered with an ip address before it can be used."}}""")
            : null;
        var answer = await Registrar.SetNameserversAsync(new RegistrarSetNsRequest("customer.com", Token, ["ns1.x.io"]), default);
        var body = Json(answer.Body);
        Assert.Equal((502, "registrar-error"), (answer.Status, body.GetProperty("error").GetString()));
        Assert.Contains("needs to be registered", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task UnreachableDynadotIsABadGateway()
    {
        var registrar = new DynadotRegistrar(new DynadotClient(http, new DynadotEndpoint(new Uri($"http://127.0.0.1:{FreePort.Next()}"))));
        var answer = await registrar.SetNameserversAsync(new RegistrarSetNsRequest("customer.com", Token, ["ns1.x.io"]), default);
        Assert.Equal((502, "api-unavailable"), (answer.Status, Json(answer.Body).GetProperty("error").GetString()));
    }
}
