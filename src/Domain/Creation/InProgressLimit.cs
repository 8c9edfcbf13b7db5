using Catalyst.Domain.Auth;
using Catalyst.Domain.Configuration;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Creation;

/// <summary>
/// How many deployments one owner may have in progress at once (issue 15: fake requests held names and tofu slots
/// for ever). <c>CATALYST_MAX_DEPLOYMENTS_IN_PROGRESS_PER_OWNER</c>: a whole number, or <c>unlimited</c>; default 3
/// when sign-in is on. With <c>CATALYST_AUTH_MODE=off</c> deployments have no owner, so there is nobody to count:
/// unlimited (the sandbox and the benchmarks create many at once).
/// </summary>
public sealed record InProgressLimit(int? Max)
{
    public const string Setting = "CATALYST_MAX_DEPLOYMENTS_IN_PROGRESS_PER_OWNER";
    public const int SessionDefault = 3;
    public const string Error = "too-many-deployments-in-progress";

    public static InProgressLimit From(Func<string, string?> read, AuthMode mode)
    {
        if (mode == AuthMode.Off) return new InProgressLimit((int?)null);
        var text = Settings.Text(read, Setting);
        if (text is null) return new InProgressLimit(SessionDefault);
        if (string.Equals(text, "unlimited", StringComparison.OrdinalIgnoreCase))
            return new InProgressLimit((int?)null);
        return new InProgressLimit(Settings.Int(read, Setting, SessionDefault, min: 1, max: 10_000));
    }

    /// <summary>A workflow is running for it: the statuses a retry must wait for
    /// (<see cref="DeploymentStatuses.InFlight"/>) and the Phase-1 watch.</summary>
    public static bool InProgress(DeploymentRecord record) =>
        DeploymentStatuses.InFlight(record.Status) || record.Status == DeploymentStatuses.Phase1Watching;

    /// <summary>The owner's deployments as the list's owner rule sees them
    /// (subject, or email when verified), never as an operator.</summary>
    public static Func<OwnerKeys, bool> OwnedBy(SessionIdentity creator) =>
        keys => DeploymentAccess.Allows(AuthMode.Session, creator with { IsOperator = false }, keys);

    public static string Detail(int max) =>
        $"at most {max} deployments may be in progress per user; wait for one to finish (ready or failed) or wipe one";
}

/// <summary>One create at a time per owner across replicas (a blob lease per owner, see <c>BlobZoneLock</c>), so the
/// count <see cref="InProgressLimit"/> is decided on cannot be raced by parallel POSTs.</summary>
public sealed class OwnerLocks(Dns.IZoneLock locks)
{
    /// <summary>Keyed by the subject's hash: the lease blob's name never shows who it is.</summary>
    public Task<IAsyncDisposable> AcquireAsync(DeploymentOwner owner, CancellationToken cancellationToken) =>
        locks.AcquireAsync(DeploymentOwner.SubjectKey(owner.Subject), cancellationToken);
}
