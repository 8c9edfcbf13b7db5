using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Catalyst.FakeTofu;

/// <summary>
/// The "cloud" of the fake: what the module would create for the given variables, and the state that records
/// what exists. The state is plain JSON the fake keeps through the backend; it never holds a variable's value,
/// so a test can search storage for secrets and must find none.
/// </summary>
static class FakeCloud
{
    /// <summary>The module's resources for these variables, in creation order (infra/hetzner).</summary>
    public static List<string> Desired(JsonObject variables)
    {
        var controlPlanes = variables["ha_enabled"]?.GetValue<bool>() == true ? 3 : 1;
        var workers = variables["worker_count"] is { } count ? (int)count.GetValue<double>() : 0;
        var resources = new List<string> { "hcloud_network.this", "hcloud_firewall.nodes", "hcloud_ssh_key.admin" };
        resources.AddRange(Enumerable.Range(0, controlPlanes).Select(i => $"hcloud_server.control_plane[{i}]"));
        resources.AddRange(Enumerable.Range(0, workers).Select(i => $"hcloud_server.worker[{i}]"));
        resources.Add("hcloud_load_balancer.this");
        return resources;
    }

    public static JsonObject NewState() => new()
    {
        ["version"] = 4,
        ["terraform_version"] = "1.8.0-fake",
        ["serial"] = 0L,
        ["lineage"] = Guid.NewGuid().ToString(),
        ["outputs"] = new JsonObject(),
        ["resources"] = new JsonArray(),
    };

    public static List<string> Existing(JsonObject state) =>
        state["resources"]!.AsArray().Select(r => r!["address"]!.GetValue<string>()).ToList();

    public static long Serial(JsonObject? state) => state?["serial"]?.GetValue<long>() ?? 0;

    public static string Lineage(JsonObject? state) => state?["lineage"]?.GetValue<string>() ?? "";

    public static void Add(JsonObject state, string address, string deploymentId, string? id = null)
    {
        state["resources"]!.AsArray().Add(new JsonObject { ["address"] = address, ["id"] = id ?? ResourceId(deploymentId, address) });
        Touch(state, deploymentId);
    }

    /// <summary>The id the state holds for an address (Hetzner's id when the fake created it there).</summary>
    public static string IdOf(JsonObject state, string address) =>
        state["resources"]!.AsArray().First(r => r!["address"]!.GetValue<string>() == address)!["id"]!.GetValue<string>();

    /// <summary>
    /// The Hetzner API kind and object name the module gives a resource (infra/hetzner: main.tf, nodes.tf,
    /// load_balancer.tf), written out here independently of the app's adoption map so a test can catch either.
    /// </summary>
    public static (string Kind, string Name) HetznerObject(string address, JsonObject variables)
    {
        var fqdn = variables["sovereign_fqdn"]?.GetValue<string>() ?? "";
        var dashed = fqdn.Replace('.', '-');
        var prefix = dashed[..Math.Min(50, dashed.Length)].Trim('-', '.');
        int Index() => int.Parse(address[(address.IndexOf('[') + 1)..address.IndexOf(']')], System.Globalization.CultureInfo.InvariantCulture);
        return address switch
        {
            "hcloud_network.this" => ("networks", $"{prefix}-net"),
            "hcloud_firewall.nodes" => ("firewalls", $"{prefix}-fw"),
            "hcloud_ssh_key.admin" => ("ssh_keys", $"{prefix}-admin"),
            "hcloud_load_balancer.this" => ("load_balancers", $"{prefix}-lb"),
            _ when address.StartsWith("hcloud_server.control_plane[", StringComparison.Ordinal) => ("servers", $"{prefix}-cp-{Index() + 1}"),
            _ when address.StartsWith("hcloud_server.worker[", StringComparison.Ordinal) => ("servers", $"{prefix}-worker-{Index() + 1}"),
            _ => throw new FakeTofuException($"Error: fake tofu does not know the Hetzner object of {address}"),
        };
    }

    /// <summary>The role label the module puts on a resource.</summary>
    public static string Role(string address) => address switch
    {
        "hcloud_network.this" => "network",
        "hcloud_firewall.nodes" => "firewall",
        "hcloud_ssh_key.admin" => "ssh-key",
        "hcloud_load_balancer.this" => "lb",
        _ when address.StartsWith("hcloud_server.control_plane[", StringComparison.Ordinal) => "control-plane",
        _ => "worker",
    };

    public static void Remove(JsonObject state, string address, string deploymentId)
    {
        var resources = state["resources"]!.AsArray();
        resources.Remove(resources.First(r => r!["address"]!.GetValue<string>() == address));
        Touch(state, deploymentId);
    }

    public static string ResourceId(string deploymentId, string address) =>
        (BitConverter.ToUInt32(Hash(deploymentId + "/" + address)) % 90_000_000 + 10_000_000).ToString();

    // Every write bumps the serial, as tofu's does; outputs exist once what they point at exists.
    static void Touch(JsonObject state, string deploymentId)
    {
        state["serial"] = Serial(state) + 1;
        var existing = Existing(state);
        var outputs = new JsonObject();
        if (existing.Contains("hcloud_server.control_plane[0]"))
            outputs["control_plane_ip"] = Output(ControlPlaneIp(deploymentId));
        if (existing.Contains("hcloud_load_balancer.this"))
            outputs["load_balancer_ip"] = Output(LoadBalancerIp(deploymentId));
        state["outputs"] = outputs;
    }

    static JsonObject Output(string value) => new() { ["value"] = value, ["type"] = "string", ["sensitive"] = false };

    /// <summary>Documentation-range addresses (RFC 5737) derived from the deployment id, so tests can predict them.</summary>
    public static string ControlPlaneIp(string deploymentId) => $"203.0.113.{1 + Hash(deploymentId)[0] % 254}";

    public static string LoadBalancerIp(string deploymentId) => $"198.51.100.{1 + Hash(deploymentId)[1] % 254}";

    static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
