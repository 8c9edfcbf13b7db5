using Catalyst.Domain.Auth;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Auth;

/// <summary>The Keycloak admin client against the fake (reference E.3), for the cases the HTTP tests do not reach.</summary>
public sealed class KeycloakClientTests : IDisposable
{
    readonly FakeKeycloak fake = new();
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose()
    {
        http.Dispose();
        fake.Dispose();
    }

    KeycloakClient Client(string? secret = null) => new(http, new KeycloakSettings(new Uri(fake.Url), "sovereign", fake.ClientId, secret ?? fake.ClientSecret));

    [Fact]
    public async Task ConcurrentSignInsOfANewUserAgreeOnOneUser()
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Client().EnsureUserAsync("new@acme.example", "sovereign-admins", CancellationToken.None)));
        Assert.Single(ids.Distinct());
        Assert.Single(fake.RealmOf("sovereign").Groups);
    }

    [Fact]
    public async Task OnlyAGroupOfExactlyThatNameCounts()
    {
        fake.RealmOf("sovereign").Groups["sovereign-admins-legacy"] = "legacy-id";
        var user = await Client().EnsureUserAsync("owner@acme.example", "sovereign-admins", CancellationToken.None);
        var realm = fake.RealmOf("sovereign");
        Assert.NotEqual("legacy-id", realm.Groups["sovereign-admins"]);
        Assert.Equal([realm.Groups["sovereign-admins"]], realm.Members[user].Keys);
    }

    [Fact]
    public async Task ExchangeAnswers()
    {
        var user = await Client().EnsureUserAsync("owner@acme.example", "sovereign-admins", CancellationToken.None);
        var issued = Assert.IsType<KeycloakClient.Exchange.Issued>(await Client().ImpersonateAsync(user, "catalyst-ui", CancellationToken.None));
        Assert.Equal((user, 300), (TestJwts.Payload(issued.AccessToken).GetProperty("sub").GetString(), issued.ExpiresIn));
        Assert.DoesNotContain(issued.AccessToken, issued.ToString());

        fake.Exchange = FakeKeycloak.ExchangeMode.Unsupported;
        Assert.IsType<KeycloakClient.Exchange.Refused>(await Client().ImpersonateAsync(user, "catalyst-ui", CancellationToken.None));
        fake.Exchange = FakeKeycloak.ExchangeMode.Forbidden;
        Assert.Equal("token exchange", (await Assert.ThrowsAsync<KeycloakException>(() => Client().ImpersonateAsync(user, null, CancellationToken.None))).Step);
    }

    [Fact]
    public async Task AWrongClientSecretFailsAtTheServiceAccountAndIsNotInTheMessage()
    {
        var error = await Assert.ThrowsAsync<KeycloakException>(() => Client("wrong-secret-value-0001").EnsureUserAsync("a@b.c", "g", CancellationToken.None));
        Assert.Equal("keycloak service account token failed with HTTP 401", error.Message);
        Assert.Empty(fake.RealmOf("sovereign").Users);
    }
}
