using Microsoft.IdentityModel.Tokens;

namespace Catalyst.Domain.Auth;

/// <summary>
/// Keycloak's signing keys from <c>{addr}/realms/{realm}/protocol/openid-connect/certs</c>, cached 10 minutes (E.5).
/// A kid we do not know triggers one early refresh (at most once a minute), so a rotated Keycloak key works within a
/// minute instead of ten. When Keycloak does not answer, the last keys keep working; with none yet, the caller is told
/// the check is unavailable rather than that the session is bad.
/// </summary>
public sealed class JwksCache(HttpClient http, Uri url, TimeProvider time)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromMinutes(10);
    static readonly TimeSpan UnknownKidRefresh = TimeSpan.FromMinutes(1);

    readonly SemaphoreSlim gate = new(1, 1);
    IReadOnlyList<SecurityKey> keys = [];
    DateTimeOffset fetchedAt = DateTimeOffset.MinValue;
    DateTimeOffset attemptedAt = DateTimeOffset.MinValue;

    /// <summary>The keys with this kid (empty when Keycloak has none). Throws
    /// <see cref="JwksUnavailableException"/>.</summary>
    public async Task<IReadOnlyList<SecurityKey>> KeysForAsync(string kid, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - fetchedAt >= Ttl) await RefreshAsync(cancellationToken);
        var matching = keys.Where(k => k.KeyId == kid).ToList();
        if (matching.Count == 0 && time.GetUtcNow() - attemptedAt >= UnknownKidRefresh)
        {
            await RefreshAsync(cancellationToken);
            matching = keys.Where(k => k.KeyId == kid).ToList();
        }
        return matching;
    }

    async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (now - attemptedAt < TimeSpan.FromSeconds(1)) return; // another caller just did
            attemptedAt = now;
            try
            {
                using var response = await http.GetAsync(url, cancellationToken);
                response.EnsureSuccessStatusCode();
                keys = new JsonWebKeySet(await response.Content.ReadAsStringAsync(cancellationToken)).GetSigningKeys()
                    .ToList();
                fetchedAt = now;
            }
            catch (Exception e)
                when (e is HttpRequestException or TaskCanceledException or ArgumentException
                    or System.Text.Json.JsonException)
            {
                if (keys.Count == 0) throw new JwksUnavailableException(url, e);
            }
        }
        finally
        {
            gate.Release();
        }
    }
}

public sealed class JwksUnavailableException(Uri url, Exception inner)
    : Exception($"Keycloak keys at {url} could not be read: {inner.Message}", inner);
