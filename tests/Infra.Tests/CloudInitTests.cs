using System.Text.RegularExpressions;
using Catalyst.Domain.Tofu;

namespace Catalyst.Infra.Tests;

// The cloud-init templates: the kubeconfig postback the app waits for (reference B.6), the
// variables templatefile() must supply, and where secrets may appear in the rendered script.
public class CloudInitTests
{
    private const string ControlPlane = "cloudinit-control-plane.tftpl";
    private const string Worker = "cloudinit-worker.tftpl";
    private static readonly HclModule Module = HclModule.Hetzner;

    private static string Text(string template) => Module.Templates[template].Text;

    // Shell line continuations joined and blanks collapsed, so a reformatted command still matches.
    private static string[] Lines(string template) =>
        Regex.Replace(Text(template), @"\\\r?\n", " ").Split('\n').Select(l => Regex.Replace(l.Trim(), @"\s+", " ")).ToArray();

    private static Expressions.TemplateCall Call(string template) =>
        Expressions.TemplateCalls(Module).First(c => c.TemplateFile == template);

    [Fact]
    public void Postback_puts_the_kubeconfig_on_the_apps_route_with_the_bearer_from_a_file()
    {
        var lines = Lines(ControlPlane);
        var curl = Assert.Single(lines, l => l.Contains("curl ", StringComparison.Ordinal) && l.Contains("-X PUT"));

        var route = TofuContract.KubeconfigPostbackRouteTemplate.Replace("{id}", "${deployment_id}", StringComparison.Ordinal);
        Assert.Contains("POSTBACK_URL='${catalyst_api_url}/" + route + "'", lines);
        Assert.Contains("\"$POSTBACK_URL\"", curl);
        // The bearer reaches curl as a header file (-H @file), never on its command line.
        Assert.Contains("-H @\"$INPUTS/postback-header\"", curl);
        Assert.Contains("Authorization: Bearer ${kubeconfig_bearer_token}", lines);
        Assert.Contains("-H \"Content-Type: application/x-yaml\"", curl);
        // Transient failures only (refused, timeouts, 408/429/500/502/503/504); a 4xx is final.
        Assert.Matches(@"--retry \d+ --retry-connrefused --retry-delay \d+", curl);
        Assert.DoesNotContain("--retry-all-errors", Text(ControlPlane));
        Assert.Contains("--data-binary @\"$public\"", curl);
    }

    [Fact]
    public void Postback_sends_a_0600_copy_pointed_at_the_load_balancer_and_removes_it()
    {
        var lines = Lines(ControlPlane).ToList();
        int At(string prefix) => lines.FindIndex(l => l.StartsWith(prefix, StringComparison.Ordinal));

        var health = lines.FindIndex(l => l.Contains("kubectl get --raw /healthz"));
        var create = At("install -m 0600 /dev/null \"$public\"");
        var rewrite = At("sed 's|https://127.0.0.1:6443|https://${load_balancer_ipv4}:6443|g' /etc/rancher/k3s/k3s.yaml > \"$public\"");
        var put = lines.FindIndex(l => l.Contains("curl ", StringComparison.Ordinal) && l.Contains("-X PUT"));
        var remove = At("rm -f \"$public\"");

        Assert.True(health >= 0 && health < create && create < rewrite && rewrite < put && put < remove,
            $"expected healthz < install < sed < curl < rm, got {health}, {create}, {rewrite}, {put}, {remove}");

        // Rendered only when the app supplied all three (a hand-run apply has no one to PUT to).
        foreach (var written in new[] { At("cat > /etc/catalyst/bootstrap/postback-header"), At("POSTBACK_URL='${catalyst_api_url}") })
        {
            var guard = lines.Take(written).Last(l => l.StartsWith("%{", StringComparison.Ordinal));
            foreach (var input in new[] { "deployment_id", "kubeconfig_bearer_token", "catalyst_api_url" })
            {
                Assert.Contains($"{input} != \"\"", guard);
            }
        }
    }

    [Fact]
    public void Postback_inputs_come_from_the_apps_variables()
    {
        var vars = Call(ControlPlane).VarsExpression;
        Assert.Equal("var.kubeconfig_bearer_token", Expressions.ValueOfKey(Module, vars, "kubeconfig_bearer_token"));
        Assert.Equal("var.deployment_id", Expressions.ValueOfKey(Module, vars, "deployment_id"));
        Assert.Equal("var.catalyst_api_url", Expressions.ValueOfKey(Module, vars, "catalyst_api_url"));
        Assert.Equal("hcloud_load_balancer.this.ipv4", Expressions.ValueOfKey(Module, vars, "load_balancer_ipv4"));
    }

    [Fact]
    public void Every_template_gets_exactly_the_variables_it_uses()
    {
        var calls = Expressions.TemplateCalls(Module).ToList();
        Assert.Equal(Module.Templates.Keys.Order(), calls.Select(c => c.TemplateFile).Distinct().Order());

        var failures = new List<string>();
        foreach (var call in calls)
        {
            var given = Expressions.ObjectKeys(Module, call.VarsExpression);
            var used = Module.Templates[call.TemplateFile].Roots;
            // A missing one fails `tofu plan`; an unused one is dead wiring, often a typo.
            failures.AddRange(used.Except(given).Select(v => $"{call.Resource.Address}: {call.TemplateFile} uses '{v}' but is not given it"));
            failures.AddRange(given.Except(used).Select(v => $"{call.Resource.Address}: gives {call.TemplateFile} '{v}', which it never uses"));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData(ControlPlane)]
    [InlineData(Worker)]
    public void Secrets_reach_only_kubectl_stdin_and_0600_files(string template)
    {
        var call = Call(template);
        var secretLocals = Expressions.SecretLocals(Module);
        var secretVars = Expressions.ObjectKeys(Module, call.VarsExpression)
            .Where(k => Expressions.CarriesSecret(Expressions.ValueOfKey(Module, call.VarsExpression, k) ?? "", secretLocals))
            .ToList();
        Assert.Contains("k3s_token", secretVars);
        Assert.Contains("registries_json", secretVars);

        var allowedHeredocs = new Regex(@"^(kubectl apply -f - |cat > /etc/rancher/k3s/(registries|config)\.yaml |cat > /etc/catalyst/bootstrap/(secrets\.json|postback-header) )<<'(?<end>\w+)'$");
        var failures = new List<string>();
        string? heredocEnd = null;
        foreach (var (line, number) in Text(template).Split('\n').Select((l, i) => (l.TrimEnd('\r'), i + 1)))
        {
            if (heredocEnd is not null)
            {
                heredocEnd = line == heredocEnd ? null : heredocEnd;
                continue;
            }

            var heredoc = allowedHeredocs.Match(line);
            if (heredoc.Success)
            {
                heredocEnd = heredoc.Groups["end"].Value;
                continue;
            }

            var interpolates = Regex.IsMatch(line, @"(?<!\$)\$\{");
            var leaked = secretVars.Where(v => interpolates && Regex.IsMatch(line, $@"\b{v}\b")).ToList();
            if (leaked.Count > 0 && !line.TrimStart().StartsWith("%{", StringComparison.Ordinal))
            {
                failures.Add($"{template}:{number}: {string.Join(", ", leaked)} outside kubectl stdin or k3s's own files");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData(ControlPlane)]
    [InlineData(Worker)]
    public void Scripts_fail_fast_never_trace_and_keep_k3s_secret_files_private(string template)
    {
        var text = Text(template);
        Assert.StartsWith("#!/bin/bash\n", text);
        Assert.Contains("set -euo pipefail", text);
        Assert.DoesNotMatch(@"(?m)^\s*set\s+(-\w*x|-o\s+xtrace)", text);

        foreach (var file in new[] { "registries.yaml", "config.yaml" })
        {
            var create = text.IndexOf($"install -m 0600 /dev/null /etc/rancher/k3s/{file}", StringComparison.Ordinal);
            var write = text.IndexOf($"cat > /etc/rancher/k3s/{file} <<'", StringComparison.Ordinal);
            Assert.True(create >= 0 && create < write, $"{template}: /etc/rancher/k3s/{file} must exist as 0600 before it is written");
        }

        Assert.Contains("${registries_json}", text);
        Assert.Contains("INSTALL_K3S_VERSION='${k3s_version}'", text);
    }
}
