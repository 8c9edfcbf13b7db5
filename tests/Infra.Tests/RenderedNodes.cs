using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Catalyst.Infra.Tests;

// The cloud-init scripts as nodes would receive them, for the shapes of Sovereign the app creates:
// solo, HA with workers, 30 nodes, and one per region. The values templatefile() is given mirror
// nodes.tf and main.tf (CloudInitTests checks the names agree); secrets are recognisable fakes.
public static partial class RenderedNodes
{
    public const string Bearer = "bearer-0123456789abcdef0123456789abcdef";
    public const string K3sToken = "k3stoken0123456789abcdef0123456789abcdef01234567";
    public const string HarborToken = "harbor-robot-token-value";

    public sealed record Scenario(string Name, string Region, bool Ha, int Workers)
    {
        public int ControlPlanes => Ha ? 3 : 1;

        public override string ToString() => Name;
    }

    public static readonly Scenario[] Scenarios =
    [
        new("solo", "fsn1", false, 0),
        new("ha-with-workers", "nbg1", true, 2),
        new("30-nodes", "hel1", true, 27),
        new("region-fsn1", "fsn1", false, 1),
        new("region-nbg1", "nbg1", false, 1),
        new("region-hel1", "hel1", false, 1),
        new("region-ash", "ash", false, 1),
        new("region-hil", "hil", false, 1),
        new("region-sin", "sin", false, 1),
    ];

    public static IEnumerable<object[]> ScenarioData => Scenarios.Select(s => new object[] { s.Name });

    public static Scenario Named(string name) => Scenarios.Single(s => s.Name == name);

    public sealed record Node(string Name, string Template, string Script);

    public static IReadOnlyList<Node> Render(Scenario scenario)
    {
        var module = HclModule.Hetzner;
        var cpIps = Enumerable.Range(0, scenario.ControlPlanes).Select(i => (object?)$"10.0.1.{10 + i}").ToList();
        var common = new Dictionary<string, object?>
        {
            ["k3s_version"] = "v1.31.4+k3s1",
            ["k3s_token"] = K3sToken,
            ["control_plane_ips"] = cpIps,
            ["registries_json"] = RegistriesJson(),
        };
        var helm = HclModule.Json(module.Locals["helm_sha256"]!);
        var flux = ParseMap(HclModule.Json(module.Locals["flux_sha256_by_version"]!))["v2.4.0"];
        var controlPlane = new Dictionary<string, object?>(common)
        {
            ["sovereign_fqdn"] = "acme.omani.works",
            ["load_balancer_ipv4"] = "198.51.100.20",
            ["load_balancer_private_ip"] = "10.0.1.254",
            ["deployment_id"] = "0123456789abcdef",
            ["kubeconfig_bearer_token"] = Bearer,
            ["catalyst_api_url"] = "https://catalyst.example.test/base",
            ["ghcr_pull_username"] = "catalyst",
            ["ghcr_pull_token"] = "ghcr-pull-token-value",
            ["harbor_robot_token"] = HarborToken,
            ["powerdns_api_key"] = "powerdns-key-value",
            ["handover_jwt_public_key"] = "{\"kty\":\"RSA\",\"n\":\"abc\",\"e\":\"AQAB\"}",
            ["object_storage_region"] = scenario.Region is "fsn1" or "nbg1" or "hel1" ? scenario.Region : "fsn1",
            ["object_storage_bucket"] = "catalyst-acme",
            ["object_storage_access_key"] = "access-key-value",
            ["object_storage_secret_key"] = "secret-key-value",
            ["cilium_version"] = HclModule.Text(module.Locals["cilium_version"]),
            ["cilium_mtu"] = double.Parse(HclModule.Text(module.Locals["cilium_mtu"]), CultureInfo.InvariantCulture),
            ["helm_version"] = HclModule.Text(module.Locals["helm_version"]),
            ["helm_sha256"] = ParseMap(helm),
            ["flux_version"] = "v2.4.0",
            ["flux_sha256"] = flux,
            ["bootstrap_deadline"] = double.Parse(HclModule.Text(module.Locals["bootstrap_deadline_seconds"]), CultureInfo.InvariantCulture),
            ["gitops_repo_url"] = "https://github.com/openova-io/openova",
            ["gitops_branch"] = "main",
        };

        var nodes = new List<Node>();
        for (var i = 0; i < scenario.ControlPlanes; i++)
        {
            var vars = new Dictionary<string, object?>(controlPlane) { ["node_index"] = (double)i };
            nodes.Add(new Node($"cp-{i + 1}", "cloudinit-control-plane.tftpl", TemplateRenderer.Render(module.Templates["cloudinit-control-plane.tftpl"].Text, vars)));
        }

        for (var i = 0; i < scenario.Workers; i++)
        {
            var vars = new Dictionary<string, object?>(common) { ["node_ip"] = $"10.0.1.{100 + i}" };
            nodes.Add(new Node($"worker-{i + 1}", "cloudinit-worker.tftpl", TemplateRenderer.Render(module.Templates["cloudinit-worker.tftpl"].Text, vars)));
        }

        return nodes;
    }

    // main.tf's registries_json, rebuilt (its shape, not its exact text, matters here).
    private static string RegistriesJson()
    {
        var mirrors = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (registry, project) in new[] { ("docker.io", "proxy-dockerhub"), ("gcr.io", "proxy-gcr"), ("quay.io", "proxy-quay"), ("registry.k8s.io", "proxy-k8s"), ("ghcr.io", "proxy-ghcr") })
        {
            mirrors[registry] = new SortedDictionary<string, object?>(StringComparer.Ordinal)
            {
                ["endpoint"] = new List<object?> { "https://harbor.openova.io" },
                ["rewrite"] = new SortedDictionary<string, object?>(StringComparer.Ordinal) { ["^(.*)$"] = project + "/$1" },
            };
        }

        return TemplateRenderer.JsonEncode(new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["mirrors"] = mirrors,
            ["configs"] = new SortedDictionary<string, object?>(StringComparer.Ordinal)
            {
                ["harbor.openova.io"] = new SortedDictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["auth"] = new SortedDictionary<string, object?>(StringComparer.Ordinal) { ["username"] = "robot$openova-bot", ["password"] = HarborToken },
                },
            },
        });
    }

    // A literal HCL map as hcl2json prints it ({"amd64":"..."} or {"v2.4.0":[{...}]}-free JSON).
    private static SortedDictionary<string, object?> ParseMap(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        var map = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in node)
        {
            map[key] = value is System.Text.Json.Nodes.JsonObject ? ParseMap(value.ToJsonString()) : value!.GetValue<string>();
        }

        return map;
    }

    [GeneratedRegex(@"^cat > (?<path>\S+) <<'(?<end>\w+)'\r?$", RegexOptions.Multiline)]
    private static partial Regex HeredocStart();

    // The bodies the script writes to files with cat > path <<'END', by path.
    public static IReadOnlyDictionary<string, string> Files(string script)
    {
        var files = new Dictionary<string, string>();
        foreach (Match m in HeredocStart().Matches(script))
        {
            var bodyStart = m.Index + m.Length + 1;
            var end = script.IndexOf("\n" + m.Groups["end"].Value + "\n", bodyStart - 1, StringComparison.Ordinal);
            Assert.True(end >= 0, $"heredoc {m.Groups["end"].Value} is not closed");
            files[m.Groups["path"].Value] = script[bodyStart..(end + 1)];
        }

        return files;
    }

    public static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    public static string? Which(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path)) return path;
        }

        return null;
    }
}
