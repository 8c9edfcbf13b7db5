using System.Text.RegularExpressions;

namespace Catalyst.Infra.Tests;

// What the first control-plane node leaves behind for Flux and the platform: the bootstrap
// Secrets the seed's comments name, Harbor as the only image path, and a Flux sync of the shared
// clusters/_template tree with the FQDN substituted (no per-Sovereign paths, original issue #218).
public class ClusterBootstrapTests
{
    private static readonly HclModule Module = HclModule.Hetzner;
    private static readonly string ControlPlane = Module.Templates["cloudinit-control-plane.tftpl"].Text;
    private static readonly string Worker = Module.Templates["cloudinit-worker.tftpl"].Text;

    // The innermost %{ if } that encloses a position, or "" when none does.
    private static string EnclosingCondition(string text, int position)
    {
        var open = new Stack<string>();
        foreach (Match directive in Regex.Matches(text[..position], @"%\{~?\s*(?<kind>if|endif|else)\b(?<rest>[^}]*)\}"))
        {
            if (directive.Groups["kind"].Value == "if")
            {
                open.Push(directive.Groups["rest"].Value);
            }
            else if (directive.Groups["kind"].Value == "endif")
            {
                open.Pop();
            }
        }

        return open.Count > 0 ? open.Peek() : "";
    }

    private static int SecretAt(string name)
    {
        var at = ControlPlane.IndexOf($"name = \"{name}\"", StringComparison.Ordinal);
        Assert.True(at >= 0, $"no Secret named {name} in the control-plane template");
        return at;
    }

    [Theory]
    [InlineData("ghcr-pull", "flux-system", "\".dockerconfigjson\"", "ghcr_pull_token == \"\" ? [] :")]
    [InlineData("powerdns-api-credentials", "cert-manager", "\"api-key\" = powerdns_api_key", "powerdns_api_key == \"\" ? [] :")]
    [InlineData("catalyst-handover-jwt-public", "catalyst-system", "\"public.jwk\" = handover_jwt_public_key", "handover_jwt_public_key == \"\" ? [] :")]
    [InlineData("harbor-robot-token", "flux-system", "token = harbor_robot_token", "node_index == 0")]
    public void Bootstrap_secrets_are_created_where_the_platform_expects_them(string name, string ns, string key, string condition)
    {
        var at = SecretAt(name);
        var line = ControlPlane[ControlPlane.LastIndexOf('\n', at)..ControlPlane.IndexOf('\n', at)];
        Assert.Contains($"namespace = \"{ns}\"", line);
        Assert.Contains(key, line);
        Assert.Contains("kind = \"Secret\"", line);
        // Optional Secrets are left out of the list when their input is empty; all of them exist only on node 1.
        Assert.True(line.Contains(condition, StringComparison.Ordinal) || EnclosingCondition(ControlPlane, at).Contains(condition, StringComparison.Ordinal), $"{name} is not guarded by {condition}");
        Assert.Contains("node_index == 0", EnclosingCondition(ControlPlane, at));
    }

    [Fact]
    public void Ghcr_pull_is_a_registry_secret_for_ghcr()
    {
        var at = SecretAt("ghcr-pull");
        var line = ControlPlane[at..ControlPlane.IndexOf('\n', at)];
        Assert.Contains("type = \"kubernetes.io/dockerconfigjson\"", ControlPlane[ControlPlane.LastIndexOf('\n', at)..at]);
        Assert.Contains("\"ghcr.io\" = { username = ghcr_pull_username, password = ghcr_pull_token", line);
    }

    [Fact]
    public void Harbor_robot_secret_is_mirrored_by_reflector()
    {
        var at = SecretAt("harbor-robot-token");
        var line = ControlPlane[ControlPlane.LastIndexOf('\n', at)..ControlPlane.IndexOf('\n', at)];
        Assert.Contains("\"reflector.v1.k8s.emberstack.com/reflection-allowed\" = \"true\"", line);
        Assert.Contains("\"reflector.v1.k8s.emberstack.com/reflection-auto-enabled\" = \"true\"", line);
    }

    [Fact]
    public void Secrets_exist_before_flux_syncs_anything()
    {
        // Both lists are written by cloud-init and applied by the bootstrap unit, Secrets first.
        var secrets = ControlPlane.IndexOf("kubectl apply -f \"$INPUTS/secrets.json\"", StringComparison.Ordinal);
        var fluxInstall = ControlPlane.IndexOf("flux install", StringComparison.Ordinal);
        var sync = ControlPlane.IndexOf("kubectl apply -f \"$INPUTS/flux-sync.json\"", StringComparison.Ordinal);
        Assert.True(secrets > 0 && secrets < fluxInstall && fluxInstall < sync, $"secrets {secrets}, flux install {fluxInstall}, sync {sync}");
        var list = ControlPlane[ControlPlane.IndexOf("<<'SECRETS'", StringComparison.Ordinal)..ControlPlane.IndexOf("\nSECRETS\n", StringComparison.Ordinal)];
        foreach (var name in new[] { "ghcr-pull", "harbor-robot-token", "powerdns-api-credentials", "catalyst-handover-jwt-public", "object-storage" })
        {
            Assert.Contains($"name = \"{name}\"", list);
        }
    }

    [Fact]
    public void Every_node_pulls_images_through_harbor()
    {
        var registries = Module.LocalText("registries_json");
        Assert.Contains("harbor.openova.io", Module.LocalText("harbor_host"));
        Assert.Contains("local.harbor_host", registries);
        Assert.Contains("password = var.harbor_robot_token", registries);
        foreach (var (registry, project) in new[] { ("docker.io", "proxy-dockerhub"), ("ghcr.io", "proxy-ghcr"), ("quay.io", "proxy-quay"), ("registry.k8s.io", "proxy-k8s"), ("gcr.io", "proxy-gcr") })
        {
            Assert.Matches($@"""{Regex.Escape(registry)}""\s*=\s*""{project}""", registries);
        }

        Assert.Contains("cat > /etc/rancher/k3s/registries.yaml <<'REGISTRIES'\n${registries_json}\nREGISTRIES", ControlPlane);
        Assert.Contains("cat > /etc/rancher/k3s/registries.yaml <<'REGISTRIES'\n${registries_json}\nREGISTRIES", Worker);
    }

    [Fact]
    public void Flux_is_pinned_and_follows_the_shared_template_with_the_fqdn_substituted()
    {
        Assert.Contains("FLUX_VERSION='${flux_version}'", ControlPlane);
        Assert.Contains("fetch \"https://github.com/fluxcd/flux2/releases/download/$FLUX_VERSION/flux_$${FLUX_VERSION#v}_linux_$ARCH.tar.gz\"", ControlPlane);
        var sync = ControlPlane[ControlPlane.IndexOf("<<'FLUX'", StringComparison.Ordinal)..ControlPlane.IndexOf("\nFLUX\n", StringComparison.Ordinal)];
        Assert.Contains("kind = \"GitRepository\"", sync);
        Assert.Contains("url = gitops_repo_url, ref = { branch = gitops_branch }", sync);
        Assert.Contains("!/clusters/_template", sync);
        Assert.Contains("path = \"./clusters/_template/bootstrap-kit\"", sync);
        Assert.Contains("path = \"./clusters/_template/infrastructure\"", sync);
        Assert.Equal(2, Regex.Matches(sync, @"postBuild = \{ substitute = \{ SOVEREIGN_FQDN = sovereign_fqdn \} \}").Count);
        Assert.DoesNotContain("clusters/${sovereign_fqdn}", ControlPlane);

        // The Phase-1 watch's operator hints name this Kustomization (reference B.7).
        Assert.Contains("name = \"bootstrap-kit\"", sync);
        Assert.Contains("node_index == 0", EnclosingCondition(ControlPlane, ControlPlane.IndexOf("<<'FLUX'", StringComparison.Ordinal)));
    }

    [Fact]
    public void Workers_join_the_first_control_plane_over_the_private_network_with_the_token()
    {
        Assert.Contains("\"server\"     = \"https://${control_plane_ips[0]}:6443\"", Worker);
        Assert.Contains("\"token\"      = k3s_token", Worker);
        Assert.Contains("INSTALL_K3S_EXEC='agent'", Worker);
        Assert.Contains("node_index == 0 ? { \"cluster-init\" = true } : {}", ControlPlane);
    }
}
