using System.Text.Json;
using Catalyst.Domain.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Http.Auth;

/// <summary>Magic-link sign-in, who am I, sign out (reference E.4 Option B, E.5).</summary>
public sealed class SessionFunctions(MagicLinks links, SessionVerifier verifier, SessionCookies cookies,
    SessionRevocations revocations,
    ILogger<SessionFunctions> log)
{
    [Function(nameof(RequestMagicLink))]
    public async Task<IResult> RequestMagicLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/auth/magic-link")] HttpRequest request)
    {
        var ct = request.HttpContext.RequestAborted;
        string? email = null;
        if (await RequestBody.ReadAsync(request, RequestBody.DefaultCap, ct) is { } body)
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.ValueKind == JsonValueKind.Object
                    && json.RootElement.TryGetProperty("email", out var value)
                    && value.ValueKind == JsonValueKind.String)
                    email = value.GetString()?.Trim();
            }
            catch (JsonException)
            {
                // A body that is not JSON carries no email: the original's 400 "email required".
            }
        }
        if (await links.RequestAsync(email, request.HttpContext.Connection.RemoteIpAddress, ct) is not { } refused)
            return Results.Json(new { ok = true });
        if (refused.RetryAfterSeconds is { } wait)
            request.HttpContext.Response.Headers.RetryAfter =
                wait.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return HttpErrors.Json(refused.Status, refused.Error, refused.Detail);
    }

    [Function(nameof(MagicLinkSignIn))]
    public async Task<IResult> MagicLinkSignIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/auth/magic")] HttpRequest request) =>
        SessionResults.From(await links.SignInAsync(request.Query["token"].FirstOrDefault(),
            CallerIdentity.IsSecure(request), request.HttpContext.RequestAborted),
            request.HttpContext);

    /// <summary>
    /// 200 {email, sub, verified}. The gate has checked the session when it is on; when it is off (no CATALYST_KC_ADDR)
    /// the cookie is checked here, so a Catalyst-signed session still answers.
    /// </summary>
    [Function(nameof(Whoami))]
    public async Task<IResult> Whoami(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/whoami")] HttpRequest request)
    {
        var identity = CallerIdentity.Of(request.HttpContext);
        if (identity is null && request.Cookies[SessionCookies.Session] is { Length: > 0 } cookie
            && await verifier.CheckAsync(cookie,
                request.HttpContext.RequestAborted) is SessionVerifier.Outcome.Valid valid)
            identity = valid.Identity;
        return identity is null
            ? HttpErrors.Json(StatusCodes.Status401Unauthorized, SessionGate.Unauthenticated)
            : Results.Json(new { email = identity.Email, sub = identity.Subject, verified = identity.EmailVerified });
    }

    /// <summary>
    /// 204, the cookies cleared and the session revoked (<see cref="SessionRevocations"/>), so a copy of the cookie is
    /// refused by every replica until it expires. Only a session this server accepts is recorded: a made-up cookie
    /// writes nothing. If the revocation cannot be stored the cookies are still cleared, and the 503 says the session
    /// stays valid.
    /// </summary>
    [Function(nameof(DeleteSession))]
    public async Task<IResult> DeleteSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/auth/session")] HttpRequest request)
    {
        var ct = request.HttpContext.RequestAborted;
        var revoked = true;
        var value = request.Cookies[SessionCookies.Session];
        switch (string.IsNullOrEmpty(value) ? new SessionVerifier.Outcome.Invalid()
            : await verifier.CheckAsync(value, ct))
        {
            case SessionVerifier.Outcome.Valid:
                try
                {
                    await revocations.RevokeAsync(cookies.Decode(value)!, ct);
                }
                catch (Exception e) when (e is Azure.RequestFailedException or AggregateException or IOException)
                {
                    log.LogError("Sign-out could not record the revocation ({Error})", e.GetType().Name);
                    revoked = false;
                }
                break;
            case SessionVerifier.Outcome.Unavailable:
                // Keycloak's keys or the revocation store could not be read: nothing could be recorded either.
                revoked = false;
                break;
        }
        foreach (var cookie in cookies.Clear(CallerIdentity.IsSecure(request)))
            request.HttpContext.Response.Headers.Append("Set-Cookie", cookie);
        return revoked
            ? Results.NoContent()
            : HttpErrors.Json(StatusCodes.Status503ServiceUnavailable, "sign-out-incomplete",
                "the cookies are cleared but the session could not be revoked; it stays valid until it expires");
    }
}

/// <summary>Turns a sign-in outcome into the response: the refusal body, or the redirect with its cookies.</summary>
static class SessionResults
{
    public static IResult From(LoginOutcome outcome, HttpContext context)
    {
        switch (outcome)
        {
            case LoginOutcome.Redirect redirect:
                foreach (var cookie in redirect.SetCookies) context.Response.Headers.Append("Set-Cookie", cookie);
                context.Response.Headers.CacheControl = "no-store";
                context.Response.Headers.Location = redirect.Location;
                return Results.StatusCode(redirect.Status);
            case LoginOutcome.Refused refused:
                return HttpErrors.Json(refused.Status, refused.Error, refused.Detail);
            default:
                throw new InvalidOperationException(outcome.GetType().Name);
        }
    }
}
