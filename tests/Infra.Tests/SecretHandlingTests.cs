using System.Text.RegularExpressions;

namespace Catalyst.Infra.Tests;

// "No secret is written to a file by the module" and "secrets never enter history" (DESIGN §4):
// nothing writes to the disk of the machine running tofu, every user_data that embeds a secret is
// sensitive, and no output carries one (outputs land in orchestration history).
public class SecretHandlingTests
{
    private static readonly HclModule Module = HclModule.Hetzner;
    private static readonly IReadOnlySet<string> SecretLocals = Expressions.SecretLocals(Module);

    [Fact]
    public void The_secret_analysis_sees_the_secrets_the_module_uses()
    {
        // Guards the analysis itself: if it found nothing, every check below would pass vacuously.
        Assert.Contains("registries_json", SecretLocals);
        Assert.Contains("control_plane_template_vars", SecretLocals);
        Assert.Contains("common_template_vars", SecretLocals);
        Assert.DoesNotContain("owner_labels", SecretLocals);
    }

    [Fact]
    public void No_resource_writes_files_on_the_machine_running_tofu()
    {
        var forbidden = Module.Resources.Concat(Module.DataSources)
            .Where(r => r.Type is "local_file" or "local_sensitive_file")
            .Select(r => r.Address);
        Assert.Empty(forbidden);
    }

    [Fact]
    public void No_local_side_effect_sees_a_secret()
    {
        // null_resource / terraform_data / local-exec provisioners run on the tofu host; one that
        // gets a secret can write it anywhere (a file, a log, an argument list).
        var failures = new List<string>();
        foreach (var resource in Module.Resources)
        {
            var body = HclModule.Json(resource.Body);
            var local = resource.Type is "null_resource" or "terraform_data" || resource.Body.ContainsKey("provisioner");
            if (local && Expressions.CarriesSecret(body, SecretLocals))
            {
                failures.Add(resource.Address);
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Every_user_data_that_embeds_a_secret_is_sensitive()
    {
        var userData = Module.Resources.Where(r => r.Body.ContainsKey("user_data")).ToList();
        Assert.NotEmpty(userData);

        var failures = new List<string>();
        foreach (var resource in userData)
        {
            var expression = HclModule.Text(resource.Body["user_data"]);
            if (!Expressions.CarriesSecret(expression, SecretLocals))
            {
                continue;
            }

            // Either wrapped where it is used, or the local it names is itself wrapped.
            var viaLocal = Regex.Match(expression, @"^\$\{local\.([A-Za-z0-9_]+)\}$");
            var wrapped = Expressions.IsSensitiveWrapped(expression)
                || (viaLocal.Success && Expressions.IsSensitiveWrapped(Module.LocalText(viaLocal.Groups[1].Value)));
            if (!wrapped)
            {
                failures.Add($"{resource.Address}: {expression}");
            }
        }

        Assert.True(failures.Count == 0, "user_data with secrets must be sensitive():\n" + string.Join("\n", failures));
    }

    [Fact]
    public void No_output_carries_a_secret()
    {
        var leaking = Module.Outputs
            .Where(o => Expressions.CarriesSecret(HclModule.Json(o.Body), SecretLocals))
            .Select(o => o.Name);
        Assert.Empty(leaking);
    }

    [Fact]
    public void Every_secret_variable_reaching_a_node_goes_through_a_secret_local()
    {
        // Resources other than the provider block may use a secret only inside user_data, so the
        // sensitive() check above covers every path a secret takes to Hetzner.
        var failures = new List<string>();
        foreach (var resource in Module.Resources)
        {
            foreach (var (attribute, value) in resource.Body)
            {
                if (attribute != "user_data" && Expressions.CarriesSecret(HclModule.Text(value), SecretLocals))
                {
                    failures.Add($"{resource.Address}.{attribute}");
                }
            }
        }

        Assert.Empty(failures);
    }
}
