using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Deployments;

/// <summary>Settings the provisioning workflow reads (reference §H keeps the names and defaults).</summary>
public sealed record ProvisionSettings(
    string ApiPublicUrl,
    string GitopsRepoUrl,
    string GitopsBranch,
    TimeSpan KubeconfigArrivalTimeout,
    string? TofuBackendUrl)
{
    public static ProvisionSettings From(Func<string, string?> settings) => new(
        ApiPublicUrl: Settings.Text(settings, "CATALYST_API_PUBLIC_URL", "https://console.openova.io/sovereign").TrimEnd('/'),
        GitopsRepoUrl: Settings.Text(settings, "CATALYST_GITOPS_REPO_URL", "https://github.com/openova-io/openova"),
        GitopsBranch: Settings.Text(settings, "CATALYST_GITOPS_BRANCH", "main"),
        KubeconfigArrivalTimeout: Settings.Duration(settings, "CATALYST_PHASE1_KUBECONFIG_ARRIVAL_TIMEOUT", TimeSpan.FromMinutes(15)),
        // Explicit only: by default tofu calls back into this very process, wherever it bound (see SelfAddress).
        TofuBackendUrl: Settings.Text(settings, "CATALYST_TOFU_BACKEND_URL")?.TrimEnd('/'));
}
