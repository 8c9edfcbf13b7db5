using Catalyst.Domain.Auth;

namespace Catalyst.Domain.Tests.Auth;

public class MagicRulesTests
{
    [Theory]
    [InlineData("/sovereign/wizard", "token_replayed", "/sovereign/login?error=token_replayed")]
    [InlineData("/wizard", "missing_token", "/login?error=missing_token")]
    [InlineData("https://console.openova.io/sovereign/wizard", "invalid_token", "https://console.openova.io/sovereign/login?error=invalid_token")]
    public void LoginRedirectIsThePostAuthFolderPlusLogin(string postAuth, string reason, string expected) =>
        Assert.Equal(expected, MagicLinks.LoginRedirect(postAuth, reason));

    [Theory]
    [InlineData("owner@example.com", true)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData(null, false)]
    [InlineData("no-at-sign", false)]
    [InlineData("Owner <owner@example.com>", false)]
    [InlineData("owner@example.com\r\nBcc: x@y.z", false)]
    [InlineData("a b@example.com", false)]
    public void EmailAddressRule(string? email, bool valid) => Assert.Equal(valid, EmailAddress.IsValid(email));
}
