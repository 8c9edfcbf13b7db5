namespace Catalyst.Domain.Deployments;

/// <summary>
/// POST .../phases/{phase}/retry (reference A.15): which phases a retry may re-run and when. Phase 0 (tofu)
/// re-runs the workflow against the same state; a Phase-1 component is reconciled by Flux, so the answer is
/// the runbook step, not an action.
/// </summary>
public static class RetryRules
{
    public static readonly IReadOnlyList<string> Phase0 = ["tofu-init", "tofu-plan", "tofu-apply", "tofu-output", "flux-bootstrap"];

    /// <summary>The bootstrap kit's components as the original named them; any <c>bp-*</c> HelmRelease counts too.</summary>
    public static readonly IReadOnlyList<string> Phase1 =
    [
        "cilium", "cert-manager", "flux", "crossplane", "sealed-secrets", "spire", "nats-jetstream", "openbao", "keycloak",
        "gitea", "powerdns", "harbor", "reflector", "catalyst-platform", "bp-catalyst-platform",
    ];

    public const string InFlightError = "deployment is still in-flight — wait for the current phase to finish before retrying";
    public const string Runbook = "docs/RUNBOOK-PROVISIONING.md#rollback-procedures-per-phase";

    public enum Kind { Phase0, Phase1, Unknown }

    public static Kind Classify(string phase, DeploymentRecord? record)
    {
        if (Phase0.Contains(phase)) return Kind.Phase0;
        if (Phase1.Contains(phase) || phase.StartsWith("bp-", StringComparison.Ordinal)
            || record?.Result?.ComponentStates?.ContainsKey(phase) == true) return Kind.Phase1;
        return Kind.Unknown;
    }

    public static string UnknownPhaseError(string phase) =>
        $"unknown phase \"{phase}\" — see docs/RUNBOOK-PROVISIONING.md for the canonical phase list";

    /// <summary>Null when a Phase-0 retry may start now, else why not.</summary>
    public static string? Phase0Blocker(DeploymentRecord record) => record.Status switch
    {
        DeploymentStatuses.Failed => null,
        var s when DeploymentStatuses.InFlight(s) || s == DeploymentStatuses.Phase1Watching => InFlightError,
        var s => $"deployment is {s}; only a failed deployment can re-run Phase 0",
    };

    /// <summary>The record as a new run starts: the failure cleared, the run number bumped so stale writes are ignored.</summary>
    public static DeploymentRecord Restart(DeploymentRecord record, string phase) => record with
    {
        Status = DeploymentStatuses.Provisioning,
        Phase = "queued",
        Step = phase,
        Progress = 0,
        Error = null,
        Failure = null,
        FinishedAt = null,
        Run = record.Run + 1,
    };
}
