using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// POST .../phases/{phase}/retry (reference A.15): which phases a retry may re-run and when. Phase 0 (tofu)
/// re-runs the workflow against the same state; a Phase-1 component is reconciled by Flux, so the answer is
/// the runbook step, not an action.
/// </summary>
public static class RetryRules
{
    public static readonly IReadOnlyList<string> Phase0 = ["tofu-init", "tofu-plan", "tofu-apply", "tofu-output",
        Phases.FluxBootstrap, Phases.Tofu];

    /// <summary>The bootstrap kit's components as the original named
    /// them; a deployment's watched HelmReleases count too.</summary>
    public static readonly IReadOnlyList<string> Phase1 =
    [
        "cilium", "cert-manager", "flux", "crossplane", "sealed-secrets", "spire", "nats-jetstream",
        "openbao", "keycloak",
        "gitea", "powerdns", "harbor", "reflector", "catalyst-platform", "phase1",
    ];

    /// <summary>Other names the original's console used for the same components.</summary>
    static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["jetstream"] = "nats-jetstream",
        ["nats"] = "nats-jetstream",
        ["bao"] = "openbao",
        ["pdns"] = "powerdns",
    };

    public const string WipedError =
        "deployment was wiped; its new cluster could not post its kubeconfig back — start a new deployment";
    public const string InFlightError =
        "deployment is still in-flight — wait for the current phase to finish before retrying";
    public const string Runbook = "docs/RUNBOOK-PROVISIONING.md#rollback-procedures-per-phase";

    public enum Kind { Phase0, Phase1, Unknown }

    /// <summary>
    /// Only names Catalyst knows: a caller's text reaches the timeline only as one of these (issue 15: any
    /// <c>bp-&lt;text&gt;</c> was accepted and its text appended to the timeline, without limit).
    /// </summary>
    public static Kind Classify(string phase, DeploymentRecord? record)
    {
        if (Phase0.Contains(phase)) return Kind.Phase0;
        return Component(phase, record) is null ? Kind.Unknown : Kind.Phase1;
    }

    /// <summary>
    /// The Phase-1 component a retry names, without its <c>bp-</c> prefix and with aliases resolved: one of the kit's
    /// (<see cref="Phase1"/>) or a HelmRelease this deployment's watch has seen; null otherwise.
    /// </summary>
    public static string? Component(string phase, DeploymentRecord? record)
    {
        var name = phase.StartsWith("bp-", StringComparison.Ordinal) ? phase[3..] : phase;
        name = Aliases.GetValueOrDefault(name, name);
        if (Phase1.Contains(name, StringComparer.Ordinal)) return name;
        var seen = record?.Result?.ComponentStates;
        return seen is not null && (seen.ContainsKey(name) || seen.ContainsKey("bp-" + name)) ? name : null;
    }

    /// <summary>The one timeline event a Phase-1 retry of a component
    /// leaves per run (a repeated request adds none).</summary>
    public static DeploymentEvent ManualRetryEvent(DeploymentRecord record, string component, DateTimeOffset time) =>
        DeploymentEvent.Info(EventKeys.Detail(record.Id, record.Run, Steps.ManualRetry, component), Phases.Phase1,
            component == Phases.Phase1
                ? $"Manual retry requested for Phase 1: on the Sovereign run `flux reconcile kustomization -n " +
                    $"flux-system --with-source --all` or annotate each bp-* HelmRelease with " +
                    $"reconcile.fluxcd.io/requestedAt (see {Runbook})."
                : $"Manual retry requested for {component}: on the Sovereign run `kubectl annotate helmrelease -n " +
                    $"flux-system bp-{component} reconcile.fluxcd.io/requestedAt=\"$(date +%s)\" --overwrite` " +
                    $"(see {Runbook}).",
            time);

    public static string UnknownPhaseError(string phase) =>
        $"unknown phase \"{phase}\" — see docs/RUNBOOK-PROVISIONING.md for the canonical phase list";

    /// <summary>Null when a Phase-0 retry may start now, else why not.</summary>
    public static string? Phase0Blocker(DeploymentRecord record) => record.Status switch
    {
        // A wipe (even one that failed) ends the postback bearer for good: a new apply's cluster could never call back.
        _ when record.KubeconfigBearerHash.Length == 0 => WipedError,
        DeploymentStatuses.Failed => null,
        var s when DeploymentStatuses.InFlight(s) || s == DeploymentStatuses.Phase1Watching => InFlightError,
        var s => $"deployment is {s}; only a failed deployment can re-run Phase 0",
    };

    /// <summary>The record as a new run starts: the failure cleared,
    /// the run number bumped so stale writes are ignored.</summary>
    public static DeploymentRecord Restart(DeploymentRecord record, string phase) => record with
    {
        Status = DeploymentStatuses.Provisioning,
        Phase = Phases.Queued,
        Step = phase,
        Progress = 0,
        Error = null,
        Failure = null,
        FinishedAt = null,
        Run = record.Run + 1,
    };
}
