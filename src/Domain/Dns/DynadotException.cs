namespace Catalyst.Domain.Dns;

/// <summary>What went wrong talking to Dynadot, sorted so a caller can answer a user without parsing text.</summary>
public enum DynadotFailure
{
    /// <summary>Dynadot answered with an error we do not classify further.</summary>
    Rejected,
    /// <summary>The key/secret pair was refused.</summary>
    InvalidToken,
    /// <summary>The credentials work but the domain is not in that account.</summary>
    DomainNotInAccount,
    RateLimited,
    /// <summary>No authoritative answer: network error, timeout, 5xx or an unreadable body.</summary>
    Unavailable,
}

/// <summary>
/// A failed Dynadot call. Messages keep the original's wording (reference C.3) and never carry the key or the
/// secret: Dynadot only takes them in the query string, so any text that might echo a URL is scrubbed.
/// </summary>
public sealed class DynadotException(DynadotFailure failure, string message) : Exception(message)
{
    public DynadotFailure Failure { get; } = failure;

    internal static DynadotFailure Classify(string? error)
    {
        var text = (error ?? "").ToLowerInvariant();
        // "could not find domain in your account" must not fall into the credential branch on "account".
        if (text.Contains("not found") || text.Contains("could not find") || text.Contains("in your account")
            || text.Contains("not own"))
            return DynadotFailure.DomainNotInAccount;
        if (text.Contains("invalid api") || text.Contains("invalid key") || text.Contains("invalid secret")
            || text.Contains("invalid token") || text.Contains("auth"))
            return DynadotFailure.InvalidToken;
        if (text.Contains("rate") || text.Contains("too many"))
            return DynadotFailure.RateLimited;
        return DynadotFailure.Rejected;
    }
}

/// <summary>A Dynadot API key and (optional) secret. Never printed: <see cref="ToString"/> hides both.</summary>
public sealed class DynadotCredentials(string key, string? secret)
{
    public string Key { get; } = key;
    public string? Secret { get; } = secret;

    /// <summary>A registrar token as the wizard sends it: <c>apiKey:apiSecret</c>,
    /// or a bare key (api3 needs only the key).</summary>
    public static DynadotCredentials? FromToken(string? token)
    {
        var trimmed = token?.Trim();
        if (string.IsNullOrEmpty(trimmed)) return null;
        var colon = trimmed.IndexOf(':');
        if (colon < 0) return new DynadotCredentials(trimmed, null);
        var (k, s) = (trimmed[..colon], trimmed[(colon + 1)..]);
        return k.Length == 0 || s.Length == 0 ? null : new DynadotCredentials(k, s);
    }

    /// <summary>Removes both values from text that may have echoed a request.</summary>
    public string Scrub(string text)
    {
        foreach (var value in new[] { Key, Secret })
            if (value is { Length: >= 4 }) text = text.Replace(value, "[redacted]", StringComparison.Ordinal);
        return text;
    }

    public override string ToString() => "DynadotCredentials([redacted])";
}
