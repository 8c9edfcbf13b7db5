namespace Catalyst.Domain.Auth;

/// <summary>
/// Request headers that claim who the caller is. A client can send any of them, so none is read unless an operator
/// names one in <c>CATALYST_TRUSTED_IDENTITY_HEADER</c> (a proxy in front of Catalyst that sets it and strips the
/// client's copy); every other is removed before a function runs (issue 14: <c>X-Forwarded-Email</c> named the
/// attacker in a <c>sovereign-admin</c> handover, <c>X-Forwarded-User</c>
/// chose whose access the cluster cache checked).
/// </summary>
public static class IdentityHeaders
{
    static readonly string[] Prefixes = ["X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Preferred-Username",
        "X-Forwarded-Groups",
        "X-Auth-Request-", "X-User-", "X-Remote-User", "X-Remote-Group", "Remote-User"];

    /// <summary>Whether a client-sent header would claim an identity
    /// (compared case-insensitively, by name or prefix).</summary>
    public static bool ClaimsIdentity(string name) =>
        Prefixes.Any(p => p.EndsWith('-') ? name.StartsWith(p, StringComparison.OrdinalIgnoreCase)
            : string.Equals(name, p, StringComparison.OrdinalIgnoreCase));

    /// <summary>An RFC 9110 token: letters, digits and <c>!#$%&amp;'*+-.^_`|~</c>.</summary>
    public static bool IsHeaderName(string name) =>
        name.Length is > 0 and <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));
}
