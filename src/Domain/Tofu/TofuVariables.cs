using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// Maps a deployment onto the module's inputs (names in <see cref="TofuContract"/>): non-secret values for the
/// tfvars file, secrets for <c>TF_VAR_*</c> only. The operator's tokens reach the Sovereign's cloud-init here: GHCR's
/// (Flux pulls private bp-* charts), Harbor's (every image pull through harbor.openova.io, seed #557) and PowerDNS's
/// (the DNS-01 webhook, seed #681).
/// </summary>
public static class TofuVariables
{
    public sealed record DeploymentSecrets(string HetznerToken, string ObjectStorageSecretKey, string KubeconfigBearer,
        string HandoverJwtPublicKey);

    public static Dictionary<string, object?> Plain(string deploymentId, DeploymentRequest request,
        ProvisionSettings settings, string handoverJwtPublicKey) => new()
    {
        ["sovereign_fqdn"] = request.SovereignFqdn,
        ["sovereign_subdomain"] = request.SovereignSubdomain,
        ["org_name"] = request.OrgName,
        ["org_email"] = request.OrgEmail,
        ["hcloud_project_id"] = request.HetznerProjectId,
        ["region"] = request.Region,
        ["control_plane_size"] = request.ControlPlaneSize,
        ["worker_size"] = request.WorkerSize,
        ["worker_count"] = request.WorkerCount,
        ["ha_enabled"] = request.HaEnabled,
        ["regions"] = request.Regions.Select(r => new Dictionary<string, object?>
        {
            ["provider"] = r.Provider, ["cloudRegion"] = r.CloudRegion, ["controlPlaneSize"] = r.ControlPlaneSize,
            ["workerSize"] = r.WorkerSize, ["workerCount"] = r.WorkerCount,
        }).ToList(),
        ["ssh_public_key"] = request.SshPublicKey.Trim(),
        ["domain_mode"] = request.SovereignDomainMode.ToLowerInvariant(),
        ["pool_domain"] = request.SovereignPoolDomain,
        ["gitops_repo_url"] = settings.GitopsRepoUrl,
        ["gitops_branch"] = settings.GitopsBranch,
        ["deployment_id"] = deploymentId,
        ["catalyst_api_url"] = settings.ApiPublicUrl,
        ["object_storage_region"] = request.ObjectStorageRegion,
        ["object_storage_access_key"] = request.ObjectStorageAccessKey,
        ["object_storage_bucket"] = request.ObjectStorageBucket,
        ["handover_jwt_public_key"] = handoverJwtPublicKey,
    };

    public static Dictionary<string, string> Secret(DeploymentSecrets secrets, OperatorSecrets operatorSecrets) => new()
    {
        ["hcloud_token"] = secrets.HetznerToken,
        ["kubeconfig_bearer_token"] = secrets.KubeconfigBearer,
        ["object_storage_secret_key"] = secrets.ObjectStorageSecretKey,
        ["ghcr_pull_token"] = operatorSecrets.GhcrPullToken,
        ["harbor_robot_token"] = operatorSecrets.HarborRobotToken,
        ["powerdns_api_key"] = operatorSecrets.PowerDnsApiKey,
    };
}
