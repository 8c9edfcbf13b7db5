using System.Net;
using Catalyst.Domain.Dns;

namespace Catalyst.Domain.Tests.Dns;

/// <summary>The answers Dynadot gives and what each means (reference C.3), without a server.</summary>
public class DynadotParsingTests
{
    static readonly DynadotCredentials Credentials = new("the-key-1234", "the-secret-5678");

    [Theory]
    [InlineData("""{"SetDnsResponse":{"ResponseCode":0,"Status":"success"}}""")]                         // live shape
    [InlineData("""{"SetDns2Response":{"ResponseHeader":{"ResponseCode":"0","Status":"error"}}}""")]      // code 0 wins
    [InlineData("""{"SetDns2Response":{"ResponseHeader":{"ResponseCode":"-1","Status":"SUCCESS"}}}""")]   // status wins, any case
    public void Success(string body) => DynadotResponse.EnsureSuccess(HttpStatusCode.OK, body, Credentials);

    [Fact]
    public void ErrorCarriesCodeStatusAndMessage()
    {
        var e = Assert.Throws<DynadotException>(() => DynadotResponse.EnsureSuccess(HttpStatusCode.OK,
            """{"SetDns2Response":{"ResponseHeader":{"ResponseCode":"-1","Status":"error","Error":"bad record"}}}""", Credentials));
        Assert.Equal("dynadot api error: code=-1 status=error err=bad record", e.Message);
        Assert.Equal(DynadotFailure.Rejected, e.Failure);
    }

    [Theory]
    [InlineData("invalid key", DynadotFailure.InvalidToken)]
    [InlineData("could not find domain in your account", DynadotFailure.DomainNotInAccount)]
    [InlineData("too many requests", DynadotFailure.RateLimited)]
    public void ErrorsAreClassified(string error, DynadotFailure failure) =>
        Assert.Equal(failure, Assert.Throws<DynadotException>(() => DynadotResponse.EnsureSuccess(HttpStatusCode.OK,
            $$$"""{"DomainInfoResponse":{"ResponseCode":"-1","Status":"error","Error":"{{{error}}}"}}""", Credentials)).Failure);

    [Fact]
    public void HttpErrorCarriesStatusAndBody()
    {
        var e = Assert.Throws<DynadotException>(() => DynadotResponse.EnsureSuccess(HttpStatusCode.BadGateway, "upstream down", Credentials));
        Assert.Equal("dynadot api status 502: upstream down", e.Message);
        Assert.Equal(DynadotFailure.Unavailable, e.Failure);
    }

    [Fact]
    public void UnparseableBodyIsQuotedUpTo256Characters()
    {
        var body = "<html>" + new string('x', 400);
        var e = Assert.Throws<DynadotException>(() => DynadotResponse.EnsureSuccess(HttpStatusCode.OK, body, Credentials));
        Assert.StartsWith("parse dynadot response: ", e.Message);
        Assert.EndsWith($"(body={body[..256]}...)", e.Message);
    }

    [Fact]
    public void MessagesNeverCarryTheCredentials()
    {
        var e = Assert.Throws<DynadotException>(() => DynadotResponse.EnsureSuccess(HttpStatusCode.BadRequest,
            "bad request: /api3.json?key=the-key-1234&secret=the-secret-5678", Credentials));
        Assert.DoesNotContain("the-key-1234", e.Message);
        Assert.DoesNotContain("the-secret-5678", e.Message);
        Assert.DoesNotContain("the-key", Credentials.ToString());
    }

    [Fact]
    public void GetDnsXmlKeepsEveryFieldExactly()
    {
        var zone = DynadotZone.ParseGetDns("""
            <GetDnsResponse><GetDnsHeader><ResponseCode>0</ResponseCode><Status>success</Status></GetDnsHeader>
            <GetDnsContent><NameServerSettings><Type>Dynadot DNS</Type>
            <MainDomains><MainDomainRecord><RecordType>MX</RecordType><Value>mx1.mail.net</Value><Value2>10</Value2></MainDomainRecord>
            <MainDomainRecord><RecordType>TXT</RecordType><Value>v=spf1 -all </Value></MainDomainRecord></MainDomains>
            <SubDomains><SubDomainRecord><Subhost>www</Subhost><RecordType>CNAME</RecordType><Value>example.com</Value></SubDomainRecord></SubDomains>
            <TTL>3600</TTL></NameServerSettings></GetDnsContent></GetDnsResponse>
            """, Credentials);
        Assert.Equal("Dynadot DNS", zone.ServerType);
        Assert.Equal("3600", zone.Ttl);
        Assert.Equal([new ZoneRecord("", "MX", "mx1.mail.net", "10"), new ZoneRecord("", "TXT", "v=spf1 -all ")], zone.Main);
        Assert.Equal([new ZoneRecord("www", "CNAME", "example.com")], zone.Sub);
    }

    [Fact]
    public void GetDnsErrorIsSurfaced()
    {
        var e = Assert.Throws<DynadotException>(() => DynadotZone.ParseGetDns(
            "<GetDnsResponse><GetDnsHeader><ResponseCode>-1</ResponseCode><Status>error</Status><Error>invalid key</Error></GetDnsHeader></GetDnsResponse>", Credentials));
        Assert.Equal(DynadotFailure.InvalidToken, e.Failure);
        Assert.Contains("err=invalid key", e.Message);
    }

    [Theory]
    [InlineData("key:secret", "key", "secret")]
    [InlineData(" key ", "key", null)]
    public void RegistrarTokens(string token, string key, string? secret)
    {
        var credentials = DynadotCredentials.FromToken(token)!;
        Assert.Equal((key, secret), (credentials.Key, credentials.Secret));
    }

    [Theory]
    [InlineData("")]
    [InlineData(":secret")]
    [InlineData("key:")]
    public void MalformedRegistrarTokens(string token) => Assert.Null(DynadotCredentials.FromToken(token));
}
