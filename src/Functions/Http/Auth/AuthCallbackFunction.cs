using Catalyst.Domain.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Catalyst.Functions.Http.Auth;

/// <summary>
/// <c>GET /api/v1/auth/callback</c> (reference E.4): the end of the original's first sign-in flow (Keycloak PKCE,
/// #608), which Catalyst does not run: sign-in is the magic link. An old link or bookmark is sent to the login page
/// with <c>error=flow_changed</c>, as the original's own successor answered it (302), so the console starts a sign-in
/// again. Outside the session gate, like every sign-in entry point.
/// </summary>
public sealed class AuthCallbackFunction(AuthSettings auth)
{
    [Function(nameof(AuthCallback))]
    public IResult AuthCallback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/auth/callback")] HttpRequest request) =>
        Results.Redirect(MagicLinks.LoginRedirect(auth.PostAuthRedirect, "flow_changed"));
}
