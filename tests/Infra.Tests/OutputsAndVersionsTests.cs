using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Catalyst.Domain.Tofu;

namespace Catalyst.Infra.Tests;

// What the app reads back (outputs) and how it drives tofu (versions, backend). The original read
// a missing output as "" and carried on; here a missing one fails the build instead.
public class OutputsAndVersionsTests
{
    private static readonly HclModule Module = HclModule.Hetzner;

    private static string Output(string name) => HclModule.Text(Module.Outputs.Single(o => o.Name == name).Body["value"]);

    [Fact]
    public void Outputs_the_app_reads_exist()
    {
        var declared = Module.Outputs.Select(o => o.Name).ToHashSet();
        var missing = TofuContract.OutputsRead.Concat(["sovereign_fqdn", "console_url", "gitops_repo_url"]).Where(n => !declared.Contains(n));
        Assert.Empty(missing);
    }

    [Fact]
    public void Output_values_point_at_the_right_objects()
    {
        Assert.Equal("${hcloud_server.control_plane[0].ipv4_address}", Output("control_plane_ip"));
        Assert.Equal("${hcloud_load_balancer.this.ipv4}", Output("load_balancer_ip"));
        Assert.Equal("https://console.${var.sovereign_fqdn}", Output("console_url"));
        Assert.Equal("${var.sovereign_fqdn}", Output("sovereign_fqdn"));
        Assert.Equal("${var.gitops_repo_url}", Output("gitops_repo_url"));
    }

    [Fact]
    public void Versions_file_pins_tofu_and_providers_and_leaves_the_backend_to_the_app()
    {
        var terraform = Module.TerraformBlocks.Where(t => t.File == "versions.tf").Select(t => t.Body).ToList();
        var block = Assert.Single(terraform);

        var required = HclModule.Text(block["required_version"]);
        var minimum = Regex.Match(required, @"^>=\s*(\d+)\.(\d+)");
        Assert.True(minimum.Success, $"required_version should be a '>=' floor, got '{required}'");
        Assert.True(new Version(int.Parse(minimum.Groups[1].Value), int.Parse(minimum.Groups[2].Value)) >= new Version(1, 8));

        // backend "http" {}: the app passes address, lock and credentials as TF_HTTP_* variables.
        var backend = Assert.IsType<JsonObject>(block["backend"]);
        var http = Assert.Single(Assert.IsType<JsonArray>(backend["http"]));
        Assert.Empty(Assert.IsType<JsonObject>(http));
        Assert.Single(backend);

        var providers = Assert.Single(Assert.IsType<JsonArray>(block["required_providers"]))!.AsObject();
        var hcloud = providers["hcloud"]!;
        Assert.Equal("hetznercloud/hcloud", HclModule.Text(hcloud["source"]));
        Assert.Matches(@"^1\.\d+\.\d+$", HclModule.Text(hcloud["version"]));
        foreach (var (name, provider) in providers)
        {
            Assert.True(Regex.IsMatch(HclModule.Text(provider!["version"]), @"^\d+\.\d+\.\d+$"), $"provider {name} is not pinned exactly");
        }
    }

    [Fact]
    public void Only_versions_tf_configures_tofu()
    {
        // The encryption block there only enforces; its method comes from the app's TF_ENCRYPTION
        // (ProviderAndBootTests checks how the two combine).
        Assert.All(Module.TerraformBlocks, t => Assert.Equal("versions.tf", t.File));
    }

    [Fact]
    public void Hcloud_provider_takes_its_token_from_the_secret_variable()
    {
        var provider = Assert.Single(Module.Providers, p => p.Name == "hcloud");
        Assert.Equal("${var.hcloud_token}", HclModule.Text(provider.Body["token"]));
    }
}
