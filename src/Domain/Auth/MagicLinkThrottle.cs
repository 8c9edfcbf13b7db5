using System.Net;

namespace Catalyst.Domain.Auth;

/// <summary>
/// POST /api/v1/auth/magic-link's limits, shared by every replica: per email and per client address. The email's
/// counter is taken first and given back when the address's refuses, so a refused request leaves both counters as they
/// were.
/// </summary>
public sealed class MagicLinkThrottle(BlobRateLimiter counters, MagicLinkLimits limits)
{
    /// <summary>Null when the request may go on (and is counted);
    /// otherwise the seconds until it may be retried.</summary>
    public async Task<int?> AcquireAsync(string email, IPAddress? client, CancellationToken cancellationToken)
    {
        var emailKey = MagicLinkLimits.EmailKey(email);
        if (await counters.TryAcquireAsync(emailKey, limits.Email, cancellationToken) is { } emailWait)
            return emailWait;
        if (await counters.TryAcquireAsync(MagicLinkLimits.AddressKey(client), limits.Address,
            cancellationToken) is not { } addressWait) return null;
        await counters.ReleaseAsync(emailKey, limits.Email, cancellationToken);
        return addressWait;
    }
}
