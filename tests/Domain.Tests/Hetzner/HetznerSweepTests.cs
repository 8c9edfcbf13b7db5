using System.Net;
using System.Text;
using Catalyst.Domain.Hetzner;
using Catalyst.Domain.Tofu;

namespace Catalyst.Domain.Tests.Hetzner;

/// <summary>The post-destroy listing of what still carries a deployment's owner label, its deletes and its runbook commands.</summary>
public sealed class HetznerSweepTests
{
    sealed class FakeHetzner(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<(HttpMethod Method, string PathAndQuery, string? Bearer)> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add((request.Method, request.RequestUri!.PathAndQuery, request.Headers.Authorization?.Parameter));
            return Task.FromResult(answer(request));
        }
    }

    static HttpResponseMessage Json(string body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    static HetznerSweep Sweep(FakeHetzner fake) => new(new HttpClient(fake) { BaseAddress = new Uri("http://hetzner.test/") });

    [Fact]
    public async Task ListsEveryKindByTheOwnerLabelFollowingPages()
    {
        var fake = new FakeHetzner(request =>
        {
            var path = request.RequestUri!.PathAndQuery;
            if (path.StartsWith("/v1/servers?", StringComparison.Ordinal) && path.Contains("page=1&"))
                return Json("""{"servers":[{"id":1,"name":"cp-1"}],"meta":{"pagination":{"next_page":2}}}""");
            if (path.StartsWith("/v1/servers?", StringComparison.Ordinal))
                return Json("""{"servers":[{"id":2,"name":"cp-2"}],"meta":{"pagination":{"next_page":null}}}""");
            if (path.StartsWith("/v1/primary_ips?", StringComparison.Ordinal))
                return Json("""{"primary_ips":[{"id":7}]}""");
            return Json("{}");
        });

        var leftovers = await Sweep(fake).ListAsync("dep123", "token-abc", CancellationToken.None);

        Assert.Equal([new Leftover("servers", 1, "cp-1"), new Leftover("servers", 2, "cp-2"), new Leftover("primary_ips", 7, "")], leftovers);
        var selector = Uri.EscapeDataString($"{TofuContract.OwnerLabel}=dep123");
        Assert.All(fake.Requests, r =>
        {
            Assert.Equal(HttpMethod.Get, r.Method);
            Assert.Equal("token-abc", r.Bearer);
            Assert.Contains($"label_selector={selector}", r.PathAndQuery);
        });
        // Nine kinds, servers twice (two pages).
        Assert.Equal(10, fake.Requests.Count);
    }

    [Fact]
    public async Task AFailedListingThrowsWithTheKindAndStatus()
    {
        var fake = new FakeHetzner(_ => Json("""{"error":{"code":"unauthorized"}}""", HttpStatusCode.Unauthorized));
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => Sweep(fake).ListAsync("dep123", "bad", CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Contains("servers", e.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, false)]
    [InlineData(HttpStatusCode.NoContent, false)]
    [InlineData(HttpStatusCode.NotFound, false)] // already gone counts as deleted
    [InlineData(HttpStatusCode.Forbidden, true)]
    public async Task DeleteIsIdempotent(HttpStatusCode status, bool throws)
    {
        var fake = new FakeHetzner(_ => new HttpResponseMessage(status));
        var delete = Sweep(fake).DeleteAsync(new Leftover("load_balancers", 42, "lb"), "tok", CancellationToken.None);
        if (throws) await Assert.ThrowsAsync<HttpRequestException>(() => delete);
        else await delete;
        Assert.Equal((HttpMethod.Delete, "/v1/load_balancers/42", "tok"), Assert.Single(fake.Requests));
    }

    [Theory]
    [InlineData("servers", "hcloud server delete 5")]
    [InlineData("load_balancers", "hcloud load-balancer delete 5")]
    [InlineData("primary_ips", "hcloud primary-ip delete 5")]
    [InlineData("floating_ips", "hcloud floating-ip delete 5")]
    [InlineData("placement_groups", "hcloud placement-group delete 5")]
    [InlineData("ssh_keys", "hcloud ssh-key delete 5")]
    public void CommandForNamesTheHcloudResource(string kind, string command) =>
        Assert.Equal(command, HetznerSweep.CommandFor(new Leftover(kind, 5, "")));
}
