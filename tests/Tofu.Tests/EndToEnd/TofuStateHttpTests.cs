using System.Net;
using System.Text.Json;
using Catalyst.Domain.Deployments;

namespace Catalyst.Tofu.Tests.EndToEnd;

/// <summary>The http state backend as tofu sees it: auth, ids, lock and state through the real app.</summary>
public class TofuStateHttpTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    static string LockBody(string id, string who = "nonroot@pod") =>
        $$"""{"ID":"{{id}}","Operation":"OperationTypeApply","Info":"","Who":"{{who}}","Version":"1.8.0","Created":"2026-01-02T03:04:05Z","Path":""}""";

    async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string id, string? body = null) =>
        await fixture.App.Http.SendAsync(fixture.Request(method, path, id, fixture.Credentials.PasswordFor(id), body));

    [Fact]
    public async Task MalformedIdsAreNotFound()
    {
        using var response = await fixture.App.Http.SendAsync(fixture.Request(HttpMethod.Get, "/api/v1/tofu/state/NOT-AN-ID", "NOT-AN-ID", "x"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not-found", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task WrongOrMissingCredentialsAreUnauthorized()
    {
        var id = DeploymentId.New();
        var other = DeploymentId.New();
        var attempts = new[]
        {
            fixture.Request(HttpMethod.Get, $"/api/v1/tofu/state/{id}"),
            fixture.Request(HttpMethod.Get, $"/api/v1/tofu/state/{id}", id, "wrong"),
            // Another deployment's valid credentials open only that deployment.
            fixture.Request(HttpMethod.Get, $"/api/v1/tofu/state/{id}", other, fixture.Credentials.PasswordFor(other)),
            fixture.Request(HttpMethod.Get, $"/api/v1/tofu/state/{id}", id, fixture.Credentials.PasswordFor(other)),
            fixture.Request(HttpMethod.Post, $"/api/v1/tofu/state/{id}/lock", id, "wrong", LockBody("x")),
        };
        foreach (var attempt in attempts)
        {
            using var response = await fixture.App.Http.SendAsync(attempt);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Equal("unauthorized", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task LockStateAndUnlockBehaveAsTofusHttpBackendExpects()
    {
        var id = DeploymentId.New();
        var state = $"/api/v1/tofu/state/{id}";
        var (a, b) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Get, state, id)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, state + "/lock", id, LockBody(a, "holder@pod-a"))).StatusCode);

        using (var held = await SendAsync(HttpMethod.Post, state + "/lock", id, LockBody(b)))
        {
            Assert.Equal(HttpStatusCode.Locked, held.StatusCode);
            var holder = JsonDocument.Parse(await held.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal((a, "holder@pod-a"), (holder.GetProperty("ID").GetString(), holder.GetProperty("Who").GetString()));
        }

        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Post, state, id, "{\"serial\":1}")).StatusCode);
        Assert.Equal(HttpStatusCode.Locked, (await SendAsync(HttpMethod.Post, $"{state}?ID={b}", id, "{\"serial\":1}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"{state}?ID={a}", id, "{\"serial\":2}")).StatusCode);
        using (var read = await SendAsync(HttpMethod.Get, state, id))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal("{\"serial\":2}", await read.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.Locked, (await SendAsync(HttpMethod.Delete, state + "/lock", id, LockBody(b))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, state + "/lock", id, LockBody(a))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, state + "/lock", id, LockBody(b))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, state + "/lock", id, LockBody(b))).StatusCode);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"Operation\":\"OperationTypeApply\"}")]
    public async Task ALockBodyWithoutTofusLockInfoIsABadRequest(string body)
    {
        var id = DeploymentId.New();
        using var response = await SendAsync(HttpMethod.Post, $"/api/v1/tofu/state/{id}/lock", id, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task AnOversizedLockBodyIsRefused()
    {
        var id = DeploymentId.New();
        var body = $$"""{"ID":"x","Info":"{{new string('i', 8192)}}"}""";
        using var response = await SendAsync(HttpMethod.Post, $"/api/v1/tofu/state/{id}/lock", id, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
