using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Auth;

/// <summary>
/// Who may act on a deployment (issue 14): its owner or an operator, and anyone when authentication is off. Everyone
/// else is told the deployment does not exist (404, the same body as an unknown id), so ids cannot be probed.
/// The owner is matched by subject, or by email when the caller's email is verified (a user who signs in through
/// Keycloak one day and a Catalyst-signed session the next keeps their deployments).
/// </summary>
public static class DeploymentAccess
{
    public static bool Allows(AuthMode mode, SessionIdentity? caller, DeploymentOwner? owner)
    {
        if (mode == AuthMode.Off) return true;
        if (caller is null) return false;
        if (caller.IsOperator) return true;
        if (owner is null) return false;
        return caller.Subject.Length > 0 && string.Equals(caller.Subject, owner.Subject, StringComparison.Ordinal)
               || caller.EmailVerified && caller.Email.Length > 0
                   && string.Equals(caller.Email.Trim(), owner.Email.Trim(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The same rule over a listed record's metadata keys.</summary>
    public static bool Allows(AuthMode mode, SessionIdentity? caller, OwnerKeys keys)
    {
        if (mode == AuthMode.Off) return true;
        if (caller is null) return false;
        if (caller.IsOperator) return true;
        return caller.Subject.Length > 0 && keys.Subject == DeploymentOwner.SubjectKey(caller.Subject)
               || caller.EmailVerified && caller.Email.Length > 0
                   && keys.Email == DeploymentOwner.EmailKey(caller.Email);
    }

    /// <summary>The owner a new deployment gets from whoever created it (none when authentication is off).</summary>
    public static DeploymentOwner? OwnerOf(SessionIdentity? creator) =>
        creator is null ? null : new DeploymentOwner(creator.Subject, creator.Email);
}

/// <summary>
/// The routes that act on one deployment: <c>/api/v1/deployments/{id}/…</c> and <c>/api/v1/sovereigns/{id}/…</c>
/// (segments compared case-insensitively, as routing does). Checked once, in the request pipeline, so a route added
/// later is covered without remembering to.
/// </summary>
public static class DeploymentRoutes
{
    public enum Kind { Deployment, Sovereign }

    public static (Kind Kind, string Id)? Parse(string path)
    {
        var s = path.Trim('/').Split('/');
        if (s.Length < 4 || !Is(s[0], "api") || !Is(s[1], "v1") || s[3].Length == 0) return null;
        if (Is(s[2], "deployments")) return (Kind.Deployment, s[3]);
        if (Is(s[2], "sovereigns")) return (Kind.Sovereign, s[3]);
        return null;
    }

    static bool Is(string segment, string name) => string.Equals(segment, name, StringComparison.OrdinalIgnoreCase);
}
