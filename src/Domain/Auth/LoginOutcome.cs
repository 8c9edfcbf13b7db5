namespace Catalyst.Domain.Auth;

/// <summary>How a sign-in ends: refused with the original's message, or a redirect (with cookies on success).</summary>
public abstract record LoginOutcome
{
    /// <summary><paramref name="RetryAfterSeconds"/>: a 429's Retry-After.</summary>
    public sealed record Refused(int Status, string Error, string? Detail = null, int? RetryAfterSeconds = null)
        : LoginOutcome;

    public sealed record Redirect(int Status, string Location, IReadOnlyList<string> SetCookies) : LoginOutcome
    {
        // Set-Cookie values hold session tokens.
        public override string ToString() =>
            $"Redirect {{ Status = {Status}, Location = {Location}, Cookies = {SetCookies.Count} }}";
    }

    public const string KeycloakNotConfigured = "server misconfiguration: keycloak not configured";
    public const string EnsureUserFailed = "keycloak error: ensure user";
    public const string ExchangeFailed = "keycloak error: token exchange";
    public const string InternalError = "internal error";

    /// <summary>The failures a Keycloak call can end in: its own, no answer, or no answer in time.</summary>
    public static bool IsKeycloakFailure(Exception e) =>
        e is KeycloakException or HttpRequestException or TaskCanceledException;
}
