using Catalyst.Domain.Wizard;
using Catalyst.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Catalyst.Domain.Tests.Wizard;

/// <summary>Reference A.4 against a fake Hetzner: each answer, its status and its exact message.</summary>
public sealed class HetznerTokenCheckTests : IDisposable
{
    static readonly string Token = new('t', 64);
    readonly WireMockServer hetzner = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort.Next()}"] });
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose()
    {
        http.Dispose();
        hetzner.Stop();
    }

    HetznerTokenCheck Check(string? url = null) => new(http, new HetznerEndpoint(new Uri((url ?? hetzner.Urls[0]) + "/")));

    void Answer(int status) => hetzner.Given(Request.Create().WithPath("/v1/servers").UsingGet().WithHeader("Authorization", $"Bearer {Token}"))
        .RespondWith(Response.Create().WithStatusCode(status).WithBody("{}"));

    [Theory]
    [InlineData(200, 200, true, "read/write access confirmed")]
    [InlineData(401, 200, false, "token rejected — ensure it has Read & Write permissions")]
    [InlineData(403, 200, false, "token rejected — ensure it has Read & Write permissions")]
    [InlineData(500, 503, false, "could not reach Hetzner API — check network connectivity")]
    [InlineData(429, 503, false, "could not reach Hetzner API — check network connectivity")]
    public async Task Answers(int hetznerStatus, int status, bool valid, string message)
    {
        Answer(hetznerStatus);
        Assert.Equal(new TokenVerdict(status, valid, message), await Check().CheckAsync("  " + Token + "\n", default));
        Assert.Single(hetzner.LogEntries);
    }

    [Fact]
    public async Task ShortTokensNeverLeave()
    {
        Answer(200);
        var verdict = await Check().CheckAsync(new string('t', 63) + "   ", default);
        Assert.Equal(new TokenVerdict(400, false, "token too short — Hetzner API tokens are at least 64 characters"), verdict);
        Assert.Empty(hetzner.LogEntries);
    }

    [Fact]
    public async Task NobodyListeningIsUnreachable()
    {
        var verdict = await Check($"http://127.0.0.1:{FreePort.Next()}").CheckAsync(Token, default);
        Assert.Equal((503, false), (verdict.Status, verdict.Valid));
    }
}
