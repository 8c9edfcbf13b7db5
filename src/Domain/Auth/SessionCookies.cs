using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Catalyst.Domain.Auth;

/// <summary>
/// The session cookies (reference E.5). With <c>CATALYST_SESSION_COOKIE_SECRET</c> set, <c>catalyst_session</c> is the
/// HMAC form <c>&lt;token&gt;.&lt;base64url(HMAC-SHA256(secret, token))&gt;</c> and only that form is read back;
/// without it the value is the bare JWT. Every sign-in path writes cookies here, so what one path issues the gate
/// accepts. Attributes: Path /, HttpOnly, SameSite=Strict (the original's HMAC form; no other site can make a browser
/// send it, and Lax is not needed: the console's own fetches are same-site, and the cookie a sign-in redirect sets is
/// stored whatever the navigation's origin), Secure always outside Development and, in Development, over TLS or behind
/// <c>X-Forwarded-Proto: https</c> (a development server on plain http still signs in), and <c>Domain</c> from
/// <c>CATALYST_SESSION_COOKIE_DOMAIN</c> when set.
/// </summary>
public sealed class SessionCookies(string? secret, string? domain, bool development = false)
{
    public const string Session = "catalyst_session";
    public const string Refresh = "catalyst_refresh";

    readonly byte[]? key = secret is null ? null : Encoding.UTF8.GetBytes(secret);

    public bool Signed => key is not null;

    /// <summary>The cookie value for a session token.</summary>
    public string Encode(string token) => key is null ? token : $"{token}.{Mac(token)}";

    /// <summary>The token inside a cookie value, or null when it is
    /// not one this process issued (or not a JWT at all).</summary>
    public string? Decode(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (key is null) return value.Split('.').Length == 3 ? value : null;
        var dot = value.LastIndexOf('.');
        if (dot <= 0) return null;
        var token = value[..dot];
        var given = Encoding.ASCII.GetBytes(value[(dot + 1)..]);
        var expected = Encoding.ASCII.GetBytes(Mac(token));
        return CryptographicOperations.FixedTimeEquals(given, expected) ? token : null;
    }

    /// <summary>Set-Cookie values for a new session; no refresh token clears any old refresh cookie.</summary>
    public IReadOnlyList<string> Issue(string sessionToken, TimeSpan lifetime, string? refreshToken,
        TimeSpan refreshLifetime, bool secure) =>
    [
        Header(Session, Encode(sessionToken), lifetime, secure),
        string.IsNullOrEmpty(refreshToken) ? Header(Refresh, "", null, secure)
            : Header(Refresh, refreshToken, refreshLifetime, secure),
    ];

    /// <summary>Set-Cookie values that remove both cookies (and
    /// a host-only copy when a domain is configured).</summary>
    public IReadOnlyList<string> Clear(bool secure, bool includeRefresh = true)
    {
        var names = includeRefresh ? new[] { Session, Refresh } : [Session];
        var headers = names.Select(n => Header(n, "", null, secure)).ToList();
        if (domain is not null) headers.AddRange(names.Select(n => Header(n, "", null, secure, hostOnly: true)));
        return headers;
    }

    /// <summary>The original's rule: TLS on this hop, or a proxy that says the browser used https.</summary>
    public static bool IsSecure(bool isHttps, string? forwardedProto) =>
        isHttps || string.Equals(forwardedProto?.Split(',')[0].Trim(), "https", StringComparison.OrdinalIgnoreCase);

    /// <summary>The <c>catalyst_session</c> value from a Cookie header.</summary>
    public static string? Read(string? cookieHeader)
    {
        if (string.IsNullOrEmpty(cookieHeader)) return null;
        foreach (var part in cookieHeader.Split(';'))
        {
            var eq = part.IndexOf('=');
            if (eq > 0 && part[..eq].Trim() == Session) return part[(eq + 1)..].Trim().Trim('"');
        }
        return null;
    }

    string Header(string name, string value, TimeSpan? maxAge, bool secure, bool hostOnly = false)
    {
        var age = maxAge is { } a ? $"Max-Age={(long)a.TotalSeconds}"
            : "Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
        var scope = domain is not null && !hostOnly ? $"; Domain={domain}" : "";
        return $"{name}={value}; {age}{scope}; Path=/; HttpOnly{(secure || !development ? "; Secure" : "")}; " +
            "SameSite=Strict";
    }

    string Mac(string token) => Base64Url.EncodeToString(HMACSHA256.HashData(key!, Encoding.UTF8.GetBytes(token)));
}
