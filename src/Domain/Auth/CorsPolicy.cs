namespace Catalyst.Domain.Auth;

/// <summary>
/// Cross-origin access (reference A.0, tightened for tenant isolation): none unless <c>CORS_ORIGIN</c> lists origins.
/// A listed origin matches exactly on scheme, host and port and gets <c>Access-Control-Allow-Origin: &lt;origin&gt;</c>
/// with credentials, so a page there can call the API with its user's session cookie. <c>*</c> lets any page read
/// answers but never with credentials (<c>Access-Control-Allow-Origin: *</c>, which browsers refuse to combine with
/// cookies): the original echoed every origin with credentials, which let any website act as the signed-in user.
/// The origin <c>null</c> (sandboxed iframes, file: pages, some redirects) is never allowed: any page can produce it.
/// Methods GET POST PUT PATCH DELETE OPTIONS, headers Accept, Content-Type, Authorization, Cookie, preflight cached
/// 300 s, as the original. Written once; both hosts' middleware apply the headers it returns.
/// </summary>
public sealed class CorsPolicy
{
    public const string Methods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
    public const string Headers = "Accept, Content-Type, Authorization, Cookie";
    public const int MaxAgeSeconds = 300;
    public const string Any = "*";

    readonly bool any;
    readonly HashSet<string> allowed;

    /// <param name="origins">Origins as <see cref="ParseOrigins"/> returns them (normalised), and/or <c>*</c>.</param>
    public CorsPolicy(IReadOnlyList<string> origins)
    {
        any = origins.Contains(Any);
        allowed = origins.Where(o => o != Any)
            .Select(o => Normalise(o) ?? throw new ArgumentException($"'{o}' is not an origin", nameof(origins)))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Reads <c>CORS_ORIGIN</c> (comma or space separated): each entry normalised, or <c>*</c>. Throws
    /// <see cref="FormatException"/> naming the first entry that is not an http(s) origin — a path, query, fragment or
    /// user info would mean the operator expected a match we do not do, and <c>null</c> is never safe to allow.
    /// </summary>
    public static IReadOnlyList<string> ParseOrigins(string text)
    {
        var result = new List<string>();
        foreach (var entry in text.Split([',', ' '],
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry == Any) result.Add(Any);
            else if (entry.Equals("null", StringComparison.OrdinalIgnoreCase))
                throw new FormatException(
                    "lists the origin 'null', which any sandboxed page can send; it cannot be allowed");
            else result.Add(Normalise(entry) ?? throw new FormatException(
                $"'{entry}' is not an origin: use scheme://host[:port] with http or https, without path, " +
                "query or user info (or * for any origin without credentials)"));
        }
        return result.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// <c>scheme://host[:port]</c> with scheme and host in lower case and the scheme's default port dropped (as
    /// browsers serialise an origin), or null when <paramref name="origin"/> is not an http(s) origin (including
    /// <c>null</c>).
    /// </summary>
    public static string? Normalise(string? origin)
    {
        if (string.IsNullOrWhiteSpace(origin)) return null;
        var text = origin.Trim();
        if (text.EndsWith('/')) text = text[..^1];
        // Checked on the text: Uri would quietly drop an empty query or fragment, or unescape a path.
        if (text.IndexOfAny(['?', '#', '@', '\\', ' ', '*']) >= 0) return null;
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0 || !Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")) return null;
        if (uri.AbsolutePath != "/" || uri.UserInfo.Length > 0 || string.IsNullOrEmpty(uri.Host)) return null;
        // Nothing after the authority (Uri would accept "https://a.example/" only as "/", already trimmed above).
        if (text.AsSpan(separator + 3).Contains('/')) return null;
        var host = uri.HostNameType == UriHostNameType.Dns ? uri.IdnHost : uri.Host;
        return $"{uri.Scheme}://{host.ToLowerInvariant()}" +
            $"{(uri.IsDefaultPort ? "" : ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
    }

    /// <summary>A browser preflight: OPTIONS with an Origin and the
    /// method it intends to use. It is answered here, 204.</summary>
    public static bool IsPreflight(string method, string? origin, string? requestedMethod) =>
        string.Equals(method, "OPTIONS", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(origin)
            && !string.IsNullOrEmpty(requestedMethod);

    /// <summary>
    /// The response headers for a request from <paramref name="origin"/>: only <c>Vary: Origin</c> when it is not
    /// allowed (caches must not hand one origin's answer to another). A listed origin is answered in its normalised
    /// form, never with the text the client sent.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> HeadersFor(string? origin, bool preflight)
    {
        var result = new List<KeyValuePair<string, string>> { new("Vary", "Origin") };
        // absent, malformed or "null": never allowed, not even by *
        if (Normalise(origin) is not { } normal) return result;
        if (allowed.Contains(normal))
        {
            result.Add(new("Access-Control-Allow-Origin", normal));
            result.Add(new("Access-Control-Allow-Credentials", "true"));
        }
        else if (any) result.Add(new("Access-Control-Allow-Origin", Any));
        else return result;
        if (preflight)
        {
            result.Add(new("Access-Control-Allow-Methods", Methods));
            result.Add(new("Access-Control-Allow-Headers", Headers));
            result.Add(new("Access-Control-Max-Age",
                MaxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return result;
    }
}
