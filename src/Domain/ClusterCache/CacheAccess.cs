using Catalyst.Domain.Auth;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// Who may read a Sovereign's cached objects, decided from the session the gate verified — never from a header a client
/// sends (the original took <c>X-Forwarded-User</c> as given, so anyone could name an admin and read as them).
/// </summary>
public abstract record CacheAccess
{
    /// <summary><c>CATALYST_AUTH_MODE=off</c>: the operator chose an open API, so there is no one to review.</summary>
    public sealed record Open : CacheAccess;

    /// <summary>An operator may see every tenant's objects: no review.</summary>
    public sealed record Operator : CacheAccess;

    /// <summary>Each namespace is shown only if the Sovereign's
    /// SubjectAccessReview allows <see cref="User"/>.</summary>
    public sealed record Reviewed(string User) : CacheAccess;

    /// <summary>No data: the status and error to answer with.</summary>
    public sealed record Refused(int Status, string Error, string Detail) : CacheAccess;

    public static CacheAccess Decide(AuthMode mode, SessionIdentity? identity, ClusterCacheOptions options)
    {
        if (mode == AuthMode.Off) return new Open();
        // Behind the gate every request of these routes has an identity; if one ever does not, it gets nothing.
        if (identity is null) return new Refused(401, "unauthenticated", "the cluster cache needs a session");
        if (identity.IsOperator) return new Operator();
        var (claim, value) = options.SarUserClaim switch
        {
            SarUserClaim.Sub => ("sub", identity.Subject),
            SarUserClaim.PreferredUsername => ("preferred_username", identity.PreferredUsername),
            // kube-apiserver refuses an email username whose email_verified is not true; so do we, or an unverified
            // address could borrow the RBAC of whoever owns it.
            _ => ("email", identity.EmailVerified ? identity.Email : null),
        };
        return string.IsNullOrWhiteSpace(value)
            ? new Refused(403, "forbidden",
                $"the session has no {(claim == "email" ? "verified email" : claim)} to ask the Sovereign's access " +
                "review about")
            : new Reviewed(options.SarUserPrefix + value);
    }
}
