using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Deployments;

/// <summary>Settings the provisioning workflow reads (reference §H keeps the names and defaults).</summary>
public sealed record ProvisionSettings(
    string ApiPublicUrl,
    string GitopsRepoUrl,
    string GitopsBranch,
    TimeSpan KubeconfigArrivalTimeout)
{
    public const string ApiPublicUrlSetting = "CATALYST_API_PUBLIC_URL";

    public static ProvisionSettings From(Func<string, string?> settings) => new(
        ApiPublicUrl: PublicUrl(settings),
        GitopsRepoUrl: Settings.Text(settings, "CATALYST_GITOPS_REPO_URL", "https://github.com/openova-io/openova"),
        GitopsBranch: Settings.Text(settings, "CATALYST_GITOPS_BRANCH", "main"),
        KubeconfigArrivalTimeout: Settings.Duration(settings, "CATALYST_PHASE1_KUBECONFIG_ARRIVAL_TIMEOUT",
            TimeSpan.FromMinutes(15)));

    /// <summary>
    /// The public origin the new Sovereign's cloud-init PUTs its kubeconfig back to (seed: CATALYST_API_PUBLIC_URL),
    /// also the audience of magic links (<c>AuthSettings</c>): read here only, so both always agree.
    /// </summary>
    public static string PublicUrl(Func<string, string?> settings) =>
        Settings.Text(settings, ApiPublicUrlSetting, "https://console.openova.io/sovereign").TrimEnd('/');
}
