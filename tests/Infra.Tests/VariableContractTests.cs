using System.Text.Json.Nodes;
using Catalyst.Domain.Tofu;

namespace Catalyst.Infra.Tests;

// The module's inputs match what the app sends: every name in TofuContract is declared, secrets
// are sensitive and never carry a real default, and nothing the app does not send is required.
public class VariableContractTests
{
    private static readonly HclModule Module = HclModule.Hetzner;

    private static bool IsSensitive(HclModule.Block variable) =>
        variable.Body["sensitive"] is JsonValue v && v.TryGetValue<bool>(out var sensitive) && sensitive;

    [Fact]
    public void Contract_lists_are_distinct_and_disjoint()
    {
        var all = TofuContract.TfvarsKeys.Concat(TofuContract.SecretVariables).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void Every_variable_is_declared_once()
    {
        var duplicates = Module.Variables.GroupBy(v => v.Name).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(duplicates);
    }

    [Fact]
    public void Every_tfvars_key_is_declared_and_not_sensitive()
    {
        var failures = new List<string>();
        foreach (var name in TofuContract.TfvarsKeys)
        {
            var variable = Module.Variables.SingleOrDefault(v => v.Name == name);
            if (variable is null)
            {
                failures.Add($"{name}: not declared");
            }
            else if (IsSensitive(variable))
            {
                // The app writes these to tofu.auto.tfvars.json; a sensitive one belongs in SecretVariables.
                failures.Add($"{name}: sensitive, but the app writes it to a file");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Every_secret_is_declared_sensitive_with_no_real_default()
    {
        var failures = new List<string>();
        foreach (var name in TofuContract.SecretVariables)
        {
            var variable = Module.Variables.SingleOrDefault(v => v.Name == name);
            if (variable is null)
            {
                failures.Add($"{name}: not declared");
                continue;
            }

            if (!IsSensitive(variable))
            {
                failures.Add($"{name}: not sensitive = true");
            }

            if (variable.Body.ContainsKey("default") && HclModule.Text(variable.Body["default"]) != "")
            {
                failures.Add($"{name}: has a non-empty default (a credential in a file)");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Every_declared_variable_is_in_the_contract_or_has_a_default()
    {
        var contract = TofuContract.TfvarsKeys.Concat(TofuContract.SecretVariables).ToHashSet();
        var orphans = Module.Variables
            .Where(v => !contract.Contains(v.Name) && !v.Body.ContainsKey("default"))
            .Select(v => $"{v.Name} ({v.File})");
        Assert.Empty(orphans);
    }

    [Fact]
    public void Every_variable_is_typed_and_described()
    {
        var failures = Module.Variables
            .Where(v => !v.Body.ContainsKey("type") || HclModule.Text(v.Body["description"]).Trim() == "")
            .Select(v => v.Name);
        Assert.Empty(failures);
    }

    [Theory]
    [InlineData("sovereign_fqdn")]
    [InlineData("org_email")]
    [InlineData("region")]
    [InlineData("control_plane_size")]
    [InlineData("worker_size")]
    [InlineData("worker_count")]
    [InlineData("ssh_public_key")]
    [InlineData("domain_mode")]
    [InlineData("deployment_id")]
    [InlineData("catalyst_api_url")]
    [InlineData("object_storage_region")]
    [InlineData("k3s_version")]
    [InlineData("flux_version")]
    [InlineData("ssh_allowed_cidrs")]
    [InlineData("kubeconfig_bearer_token")]
    public void Values_with_a_known_shape_are_validated(string name)
    {
        var validations = Module.Variable(name).Body["validation"]?.AsArray() ?? [];
        Assert.NotEmpty(validations);
        foreach (var validation in validations)
        {
            // A condition that does not look at its own variable validates nothing.
            Assert.Contains($"var.{name}", HclModule.Text(validation!["condition"]));
            Assert.False(string.IsNullOrWhiteSpace(HclModule.Text(validation["error_message"])));
        }
    }

    [Theory]
    [InlineData("worker_count", "number")]
    [InlineData("ha_enabled", "bool")]
    [InlineData("ssh_allowed_cidrs", "list(string)")]
    [InlineData("sovereign_fqdn", "string")]
    public void Types_match_what_the_app_writes(string name, string type) =>
        Assert.Equal("${" + type + "}", HclModule.Text(Module.Variable(name).Body["type"]));

    [Fact]
    public void Regions_is_the_wizard_shape()
    {
        var type = HclModule.Text(Module.Variable("regions").Body["type"]);
        foreach (var field in new[] { "provider", "cloudRegion", "controlPlaneSize", "workerSize", "workerCount" })
        {
            Assert.Contains(field, type);
        }

        Assert.StartsWith("${list(object(", type);
    }
}
