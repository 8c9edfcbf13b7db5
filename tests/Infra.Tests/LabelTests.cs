using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Catalyst.Domain.Tofu;

namespace Catalyst.Infra.Tests;

// Every Hetzner object the module creates must be findable by its owner label, so decommission
// can sweep what tofu's state does not know (DESIGN §3). A new hcloud_* type must be classified
// here before the module may use it.
public class LabelTests
{
    private static readonly HclModule Module = HclModule.Hetzner;

    // hcloud resource types whose schema takes `labels`.
    private static readonly HashSet<string> Labelled =
    [
        "hcloud_server", "hcloud_network", "hcloud_firewall", "hcloud_load_balancer", "hcloud_placement_group",
        "hcloud_ssh_key", "hcloud_volume", "hcloud_primary_ip", "hcloud_floating_ip", "hcloud_certificate",
        "hcloud_managed_certificate", "hcloud_uploaded_certificate", "hcloud_snapshot", "hcloud_zone",
        "hcloud_storage_box",
    ];

    // hcloud resource types without labels: attachments and sub-objects of labelled ones.
    private static readonly HashSet<string> Unlabelled =
    [
        "hcloud_network_subnet", "hcloud_network_route", "hcloud_load_balancer_network", "hcloud_load_balancer_target",
        "hcloud_load_balancer_service", "hcloud_server_network", "hcloud_firewall_attachment", "hcloud_rdns",
        "hcloud_volume_attachment", "hcloud_floating_ip_assignment", "hcloud_zone_rrset", "hcloud_zone_record",
    ];

    private static readonly Regex OwnedLabels = new(
        @"^\$\{merge\(local\.owner_labels,\s*\{\s*""" + Regex.Escape(TofuContract.RoleLabel) + @"""\s*=\s*""(?<role>[a-z][a-z-]*)""\s*\}\)\}$");

    private static IEnumerable<HclModule.Resource> Hcloud => Module.Resources.Where(r => r.Type.StartsWith("hcloud_", StringComparison.Ordinal));

    [Fact]
    public void Every_hcloud_type_in_the_module_is_classified()
    {
        var unknown = Hcloud.Select(r => r.Type).Distinct().Where(t => !Labelled.Contains(t) && !Unlabelled.Contains(t));
        Assert.Empty(unknown);
    }

    [Fact]
    public void Every_labelled_resource_carries_the_owner_labels_and_a_role()
    {
        var labelled = Hcloud.Where(r => Labelled.Contains(r.Type)).ToList();
        Assert.NotEmpty(labelled);

        var failures = labelled
            .Where(r => !OwnedLabels.IsMatch(HclModule.Text(r.Body["labels"])))
            .Select(r => $"{r.Address} ({r.File}): labels = {HclModule.Text(r.Body["labels"])}");
        Assert.True(!failures.Any(), "expected merge(local.owner_labels, { \"" + TofuContract.RoleLabel + "\" = \"<role>\" }):\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Owner_labels_name_the_deployment_and_the_sovereign()
    {
        var owner = Assert.IsType<JsonObject>(Module.Locals["owner_labels"]);
        Assert.Equal("${var.deployment_id}", HclModule.Text(owner[TofuContract.OwnerLabel]));
        Assert.Contains("var.sovereign_fqdn", HclModule.Text(owner[TofuContract.SovereignLabel]));
        // The role is per resource; a role inside the common map would be overwritten or wrong.
        Assert.False(owner.ContainsKey(TofuContract.RoleLabel));
    }

    [Fact]
    public void Sovereign_label_is_cut_to_hetzners_63_characters()
    {
        var expression = HclModule.Text(Module.Locals["owner_labels"]![TofuContract.SovereignLabel]);
        Assert.Matches(@"substr\(var\.sovereign_fqdn,\s*0,\s*63\)", expression);
    }

    [Theory]
    [InlineData("hcloud_server", "control_plane", "control-plane")]
    [InlineData("hcloud_server", "worker", "worker")]
    [InlineData("hcloud_load_balancer", "this", "lb")]
    [InlineData("hcloud_network", "this", "network")]
    [InlineData("hcloud_firewall", "nodes", "firewall")]
    [InlineData("hcloud_ssh_key", "admin", "ssh-key")]
    [InlineData("hcloud_placement_group", "control_plane", "placement-group")]
    public void Roles_say_what_each_object_is(string type, string name, string role)
    {
        var resource = Module.Resources.Single(r => r.Type == type && r.Name == name);
        var match = OwnedLabels.Match(HclModule.Text(resource.Body["labels"]));
        Assert.True(match.Success, $"{resource.Address} has no owner labels");
        Assert.Equal(role, match.Groups["role"].Value);
    }
}
