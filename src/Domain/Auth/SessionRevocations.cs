using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Catalyst.Domain.Auth;

/// <summary>
/// Sessions signed out before they expire (DELETE /api/v1/auth/session), for every replica: one empty blob per session
/// in container <c>catalyst-revoked-sessions</c>, named by the SHA-256 of the token's <c>jti</c> (Catalyst's sessions
/// and Keycloak's tokens carry one), or of the whole token when it has none, with the token's expiry in metadata (after
/// it, the entry no longer matters). Every check asks storage; only "revoked" is remembered here, because it never
/// becomes false, while "not revoked" may change on another replica at any moment.
/// </summary>
public sealed class SessionRevocations(BlobServiceClient blobs, TimeProvider time)
{
    public const string Container = "catalyst-revoked-sessions";
    const int RememberedLimit = 100_000;

    readonly BlobContainerClient container = blobs.GetBlobContainerClient(Container);
    readonly ConcurrentDictionary<string, DateTimeOffset> remembered = new(StringComparer.Ordinal);
    volatile bool created;

    /// <summary>Records <paramref name="token"/> (already verified by
    /// the caller) as signed out. Storage failures throw.</summary>
    public async Task RevokeAsync(string token, CancellationToken cancellationToken)
    {
        var name = BlobName(token);
        var expires = Expiry(token);
        if (!created)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            created = true;
        }
        try
        {
            await container.GetBlobClient(name).UploadAsync(BinaryData.Empty, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                Metadata = new Dictionary<string, string> { ["expires"] = expires.ToString("O"),
                    ["revokedAt"] = time.GetUtcNow().ToString("O") },
            }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Signed out already (twice, or on another replica).
        }
        Remember(name, expires);
    }

    /// <summary>True when the session was signed out; null when storage could not say.</summary>
    public async Task<bool?> IsRevokedAsync(string token, CancellationToken cancellationToken)
    {
        var name = BlobName(token);
        if (remembered.ContainsKey(name)) return true;
        try
        {
            if (!(await container.GetBlobClient(name).ExistsAsync(cancellationToken)).Value) return false;
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or IOException or TimeoutException)
        {
            return null;
        }
        Remember(name, Expiry(token));
        return true;
    }

    /// <summary>The blob name: SHA-256 of the jti, or of the whole token when it carries none.</summary>
    public static string BlobName(string token)
    {
        var jti = Read(token)?.Id;
        var material = string.IsNullOrEmpty(jti) ? "token:" + token : "jti:" + jti;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)));
    }

    DateTimeOffset Expiry(string token) =>
        Read(token) is { ValidTo: var to } && to > DateTime.MinValue ? new DateTimeOffset(to, TimeSpan.Zero)
            : time.GetUtcNow() + SessionTokens.Lifetime;

    void Remember(string name, DateTimeOffset expires)
    {
        // Entries for expired tokens go first; the tokens themselves are refused by their exp by then.
        if (remembered.Count >= RememberedLimit)
        {
            var now = time.GetUtcNow();
            foreach (var (key, until) in remembered)
                if (until < now) remembered.TryRemove(key, out _);
        }
        if (remembered.Count < RememberedLimit) remembered[name] = expires;
    }

    static JsonWebToken? Read(string token)
    {
        try
        {
            return new JsonWebToken(token);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenMalformedException)
        {
            return null;
        }
    }
}
