namespace Catalyst.Domain.Auth;

/// <summary>
/// CORS as the original configures it (reference A.0): origins from <c>CORS_ORIGIN</c> (default <c>*</c>), methods GET POST PUT
/// PATCH DELETE OPTIONS, headers Accept, Content-Type, Authorization, Cookie, credentials allowed, preflight cached 300 s.
/// Browsers refuse <c>Access-Control-Allow-Origin: *</c> together with credentials, so an allowed origin is always
/// echoed back (with <c>Vary: Origin</c>), which is what the original's CORS library does for <c>*</c> too.
/// Written once; both hosts' middleware apply the headers it returns.
/// </summary>
public sealed class CorsPolicy(IReadOnlyList<string> origins)
{
    public const string Methods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
    public const string Headers = "Accept, Content-Type, Authorization, Cookie";
    public const int MaxAgeSeconds = 300;

    readonly bool any = origins.Contains("*");
    readonly HashSet<string> allowed = origins.Select(o => o.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>A browser preflight: OPTIONS with an Origin and the method it intends to use. It is answered here, 204.</summary>
    public static bool IsPreflight(string method, string? origin, string? requestedMethod) =>
        string.Equals(method, "OPTIONS", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(origin) && !string.IsNullOrEmpty(requestedMethod);

    /// <summary>The response headers for a request from <paramref name="origin"/>; none when the origin is not allowed.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> HeadersFor(string? origin, bool preflight)
    {
        var result = new List<KeyValuePair<string, string>> { new("Vary", "Origin") };
        if (string.IsNullOrEmpty(origin) || !(any || allowed.Contains(origin.TrimEnd('/')))) return result;
        result.Add(new("Access-Control-Allow-Origin", origin));
        result.Add(new("Access-Control-Allow-Credentials", "true"));
        if (preflight)
        {
            result.Add(new("Access-Control-Allow-Methods", Methods));
            result.Add(new("Access-Control-Allow-Headers", Headers));
            result.Add(new("Access-Control-Max-Age", MaxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return result;
    }
}
