namespace Catalyst.Domain.Tofu;

// The names shared by the OpenTofu module (infra/hetzner) and the app that drives it.
// One list, read by both the tfvars writer and the module tests, so a renamed variable,
// output or label fails a test instead of a provision.
public static class TofuContract
{
    // Non-secret inputs: the app writes these keys to tofu.auto.tfvars.json (reference B.5).
    public static readonly IReadOnlyList<string> TfvarsKeys =
    [
        "sovereign_fqdn",
        "sovereign_subdomain",
        "org_name",
        "org_email",
        "hcloud_project_id",
        "region",
        "control_plane_size",
        "worker_size",
        "worker_count",
        "ha_enabled",
        "regions",
        "ssh_public_key",
        "domain_mode",
        "pool_domain",
        "gitops_repo_url",
        "gitops_branch",
        "deployment_id",
        "catalyst_api_url",
        "object_storage_region",
        "object_storage_access_key",
        "object_storage_bucket",
        "handover_jwt_public_key",
        "k3s_version",
        "flux_version",
        "ssh_allowed_cidrs",
    ];

    // Secret inputs: passed only as TF_VAR_<name> environment variables, never in a file
    // (DESIGN §4). The module declares each of them sensitive.
    public static readonly IReadOnlyList<string> SecretVariables =
    [
        "hcloud_token",
        "kubeconfig_bearer_token",
        "ghcr_pull_token",
        "harbor_robot_token",
        "powerdns_api_key",
        "object_storage_secret_key",
    ];

    // Outputs the app reads after apply (`tofu output -json`); a missing one reads as "" in the
    // original, which hid broken modules, so the tests require them.
    public static readonly IReadOnlyList<string> OutputsRead = ["control_plane_ip", "load_balancer_ip"];

    // Every Hetzner object the module creates carries this label, so a decommission sweep can
    // find what the tofu state does not know (DESIGN §3).
    public const string OwnerLabel = "catalyst.openova.io/deployment-id";

    public const string SovereignLabel = "catalyst.openova.io/sovereign";

    public const string RoleLabel = "catalyst.openova.io/role";

    // Where cloud-init PUTs the kubeconfig, relative to CATALYST_API_PUBLIC_URL (reference A.13, B.6).
    public const string KubeconfigPostbackRouteTemplate = "api/v1/deployments/{id}/kubeconfig";
}
