using Catalyst.Domain.Auth;
using Microsoft.AspNetCore.Http;

namespace Catalyst.Functions.Http;

/// <summary>
/// What the session gate (Hosting's AuthPipeline, in both hosts) learnt about a request, for the triggers to read: who
/// is calling and whether the request came over TLS. Here, not in Hosting, so triggers never depend on the host (issue
/// 20).
/// </summary>
public static class CallerIdentity
{
    const string IdentityItem = "catalyst.session";

    /// <summary>The identity the gate established for this request, if it checked one.</summary>
    public static SessionIdentity? Of(HttpContext context) => context.Items[IdentityItem] as SessionIdentity;

    public static void Set(HttpContext context, SessionIdentity identity) => context.Items[IdentityItem] = identity;

    /// <summary>TLS at this process or at the proxy in front of
    /// it: the session cookies are then marked Secure.</summary>
    public static bool IsSecure(HttpRequest request) =>
        SessionCookies.IsSecure(request.IsHttps, request.Headers["X-Forwarded-Proto"].ToString());
}
