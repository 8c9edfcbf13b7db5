using Catalyst.Domain.Auth;

namespace Catalyst.Domain.Tests.Auth;

public class SessionCookiesTests
{
    const string Secret = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void HmacFormRoundTripsAndOnlyItsOwnMacDecodes()
    {
        var cookies = new SessionCookies(Secret, null);
        var value = cookies.Encode("a.b.c");
        Assert.StartsWith("a.b.c.", value);
        Assert.Equal("a.b.c", cookies.Decode(value));
        Assert.Null(new SessionCookies(Secret + "x", null).Decode(value));
        Assert.Null(cookies.Decode("a.b.c"));
        Assert.Null(cookies.Decode(""));
        Assert.Null(cookies.Decode(null));
    }

    [Fact]
    public void IssuedCookiesAreStrictHttpOnlyAndSecureOutsideDevelopment()
    {
        var headers = new SessionCookies(null, "console.openova.io").Issue("a.b.c", TimeSpan.FromHours(1), "refresh-1", TimeSpan.FromHours(8), secure: true);
        Assert.Equal("catalyst_session=a.b.c; Max-Age=3600; Domain=console.openova.io; Path=/; HttpOnly; Secure; SameSite=Strict", headers[0]);
        Assert.Equal("catalyst_refresh=refresh-1; Max-Age=28800; Domain=console.openova.io; Path=/; HttpOnly; Secure; SameSite=Strict", headers[1]);

        // Outside Development a plain-http request (TLS ended at a proxy that says nothing) still gets Secure cookies.
        var plain = new SessionCookies(null, null).Issue("a.b.c", TimeSpan.FromHours(8), null, TimeSpan.Zero, secure: false);
        Assert.Equal("catalyst_session=a.b.c; Max-Age=28800; Path=/; HttpOnly; Secure; SameSite=Strict", plain[0]);
        Assert.StartsWith("catalyst_refresh=; Max-Age=0; Expires=Thu, 01 Jan 1970", plain[1]);
        Assert.All(new SessionCookies(null, null).Clear(secure: false), c => Assert.EndsWith("; HttpOnly; Secure; SameSite=Strict", c));
    }

    [Fact]
    public void InDevelopmentSecureFollowsTheRequest()
    {
        var development = new SessionCookies(null, null, development: true);
        Assert.Equal("catalyst_session=a.b.c; Max-Age=60; Path=/; HttpOnly; SameSite=Strict",
            development.Issue("a.b.c", TimeSpan.FromMinutes(1), null, TimeSpan.Zero, secure: false)[0]);
        Assert.Equal("catalyst_session=a.b.c; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Strict",
            development.Issue("a.b.c", TimeSpan.FromMinutes(1), null, TimeSpan.Zero, secure: true)[0]);
        Assert.All(development.Clear(secure: false), c => Assert.DoesNotContain("Secure", c));
    }

    [Fact]
    public void ClearingRemovesBothCookiesWithAndWithoutTheDomain()
    {
        var cleared = new SessionCookies(null, "console.openova.io").Clear(secure: true);
        Assert.Equal(4, cleared.Count);
        Assert.All(cleared, c => Assert.Contains("Max-Age=0", c));
        Assert.Equal(2, cleared.Count(c => c.Contains("Domain=console.openova.io")));
        Assert.Single(new SessionCookies(null, null).Clear(secure: false, includeRefresh: false));
    }

    [Theory]
    [InlineData(true, null, true)]
    [InlineData(false, "https", true)]
    [InlineData(false, "HTTPS, http", true)]
    [InlineData(false, "http", false)]
    [InlineData(false, null, false)]
    public void SecureWhenTlsOrForwardedHttps(bool https, string? proto, bool secure) => Assert.Equal(secure, SessionCookies.IsSecure(https, proto));
}
