namespace Catalyst.Domain.Flux;

/// <summary>Phase-1 outcomes (reference B.7) with the status and error each one leaves on the deployment.</summary>
public static class WatchOutcomes
{
    public const string Ready = "ready";
    public const string Failed = "failed";
    public const string Timeout = "timeout";
    public const string FluxNotReconciling = "flux-not-reconciling";
    public const string KubeconfigMissing = "kubeconfig-missing";
    public const string WatcherStartFailed = "watcher-start-failed";

    public static string FailedMessage(int failed) =>
        $"Phase 1 finished with {failed} failed component(s); see ComponentStates for the per-component breakdown";

    public const string FluxNotReconcilingMessage =
        "Phase 1 watch saw zero HelmReleases — the bootstrap-kit Kustomization on the new Sovereign is not " +
        "reconciling. Operator: inspect `flux get kustomization -n flux-system` and `kubectl describe kustomization " +
        "-n flux-system` on the new cluster " +
        "(see docs/RUNBOOK-PROVISIONING.md §\"Phase 1 watch shows 0 HelmReleases\").";

    public const string WatcherStartFailedMessage =
        "Phase 1 watch could not start (e.g. malformed kubeconfig or informer factory init failure). " +
        "Inspect the kubeconfig the Sovereign posted (GET /api/v1/deployments/{id}/kubeconfig) " +
        "and re-run the watch by PUTting a corrected one after a wipe.";
}
