using System.Text;
using Catalyst.Domain.Registrars;

namespace Catalyst.Domain.Tests.Registrars;

public class RegistrarRequestsTests
{
    static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData("not json", 400, "invalid-body", "request body must be JSON {domain, token}")]
    [InlineData("", 400, "invalid-body", "request body must be JSON {domain, token}")]
    [InlineData("""{"domain":5,"token":"x"}""", 400, "invalid-body", "request body must be JSON {domain, token}")]
    [InlineData("""{"domain":"  ","token":"x"}""", 422, "missing-domain", "domain is required")]
    [InlineData("""{"token":"x"}""", 422, "missing-domain", "domain is required")]
    [InlineData("""{"domain":"a.com","token":""}""", 422, "missing-token", "registrar API credentials are required")]
    [InlineData("""{"domain":"a.com"}""", 422, "missing-token", "registrar API credentials are required")]
    public void ValidateRules(string body, int status, string error, string detail)
    {
        var (request, problem) = RegistrarRequests.ParseValidate(B(body));
        Assert.Null(request);
        Assert.Equal((status, new Catalyst.Domain.Deployments.ApiError(error, detail)), problem);
    }

    [Fact]
    public void ValidateAcceptsAndNormalisesTheDomain()
    {
        var (request, problem) = RegistrarRequests.ParseValidate(B("""{"Domain":" Example.COM ","token":"k:s"}"""));
        Assert.Null(problem);
        Assert.Equal(new RegistrarValidateRequest("example.com", "k:s"), request);
        Assert.DoesNotContain("k:s", request!.ToString());
    }

    [Theory]
    [InlineData("[]", 400, "invalid-body")]
    [InlineData("""{"domain":"a.com","token":"t"}""", 422, "missing-nameservers")]
    [InlineData("""{"domain":"a.com","token":"t","nameservers":[" ",""]}""", 422, "missing-nameservers")]
    [InlineData("""{"domain":"a.com","token":"t","nameservers":["1","2","3","4","5","6","7","8","9","10","11","12","13","14"]}""", 422, "too-many-nameservers")]
    public void SetNsRules(string body, int status, string error)
    {
        var (_, problem) = RegistrarRequests.ParseSetNs(B(body));
        Assert.Equal((status, error), (problem!.Value.Status, problem.Value.Error.Error));
    }

    [Fact]
    public void SetNsNormalisesNameservers()
    {
        var (request, _) = RegistrarRequests.ParseSetNs(B("""{"domain":"a.com","token":"t","nameservers":["NS1.X.io ","ns1.x.io","ns2.x.io",null]}"""));
        Assert.Equal(["ns1.x.io", "ns2.x.io"], request!.Nameservers);
    }

    [Theory]
    [InlineData("dynadot", true)]
    [InlineData("cloudflare", false)] // accepted by the original, no adapter here yet
    [InlineData("route53", false)]
    public void Served(string name, bool served) => Assert.Equal(served, RegistrarRequests.IsServed(RegistrarRequests.Normalize(name)));

    [Fact]
    public void TooLargeDetailNamesTheEndpoint()
    {
        Assert.Equal("validation request body must be under 16KB", RegistrarRequests.TooLarge("validate").Error.Detail);
        Assert.Equal("set-ns request body must be under 16KB", RegistrarRequests.TooLarge("set-ns").Error.Detail);
    }
}
