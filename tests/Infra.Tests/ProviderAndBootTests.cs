using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Tofu;

namespace Catalyst.Infra.Tests;

// Issue 22: the module read against the real provider (hcloud's source and changelog), Hetzner's
// current server and load-balancer types, and what k3s, Cilium and sshd really do at boot. The
// scripts are rendered for each shape of Sovereign and checked the way a node would run them.
public partial class ProviderAndBootTests
{
    private static readonly HclModule Module = HclModule.Hetzner;

    private static JsonObject Versions => Module.TerraformBlocks.Single(t => t.File == "versions.tf").Body;

    private static JsonObject Provider(string name) =>
        Assert.Single(Assert.IsType<JsonArray>(Versions["required_providers"]))!.AsObject()[name]!.AsObject();

    // ── provider and tool pins ───────────────────────────────────────────────

    [Fact]
    public void Hcloud_is_pinned_at_or_after_1_58_0_which_reads_location_instead_of_the_removed_datacenter()
    {
        var pin = Version.Parse(HclModule.Text(Provider("hcloud")["version"]));
        // Hetzner removed `datacenter` from the API on 2026-07-01; before v1.58.0 the provider
        // planned to replace every server after that date.
        Assert.True(pin >= new Version(1, 58, 0), $"hcloud {pin} predates 1.58.0");
    }

    [Fact]
    public void Tofu_floor_is_one_the_pinned_provider_supports()
    {
        var required = HclModule.Text(Versions["required_version"]);
        var floor = Regex.Match(required, @"^>=\s*(\d+)\.(\d+)");
        Assert.True(floor.Success, required);
        var version = new Version(int.Parse(floor.Groups[1].Value), int.Parse(floor.Groups[2].Value));
        // hcloud v1.58.0 dropped OpenTofu 1.8 and v1.64.0 dropped 1.9.
        var hcloud = Version.Parse(HclModule.Text(Provider("hcloud")["version"]));
        Assert.True(version >= new Version(1, 9), required);
        if (hcloud >= new Version(1, 64, 0)) Assert.True(version >= new Version(1, 10), $"hcloud {hcloud} needs OpenTofu >= 1.10, the module allows {required}");

        // The images ship a tofu that satisfies the floor.
        foreach (var dockerfile in new[] { "Dockerfile.functions", "Dockerfile.standalone" })
        {
            var text = File.ReadAllText(Path.Combine(Module.RepoRoot, "deploy", "images", dockerfile));
            var shipped = Version.Parse(Regex.Match(text, @"ARG TOFU_VERSION=(\S+)").Groups[1].Value);
            Assert.True(shipped >= version, $"{dockerfile} ships tofu {shipped}, below the module's floor {required}");
        }
    }

    [Fact]
    public void A_committed_lock_file_matches_the_pins_and_without_one_the_images_lock_at_build()
    {
        var lockFile = Path.Combine(Module.ModuleDir, ".terraform.lock.hcl");
        if (File.Exists(lockFile))
        {
            var text = File.ReadAllText(lockFile);
            foreach (var name in new[] { "hcloud", "random" })
            {
                var source = HclModule.Text(Provider(name)["source"]);
                var block = Regex.Match(text, $"provider \"registry.opentofu.org/{Regex.Escape(source)}\" \\{{(?<body>.*?)\\n\\}}", RegexOptions.Singleline);
                Assert.True(block.Success, $"the lock file has no entry for {source}");
                Assert.Contains($"version     = \"{HclModule.Text(Provider(name)["version"])}\"", block.Groups["body"].Value);
                Assert.Matches("\"(h1|zh):", block.Groups["body"].Value);
            }
        }
        else
        {
            // No lock file could be produced here (the registry is out of reach); the images pin
            // the providers when they are built, and the README says so.
            Assert.Contains(".terraform.lock.hcl", File.ReadAllText(Path.Combine(Module.ModuleDir, "README.md")));
            foreach (var dockerfile in new[] { "Dockerfile.functions", "Dockerfile.standalone" })
            {
                var text = File.ReadAllText(Path.Combine(Module.RepoRoot, "deploy", "images", dockerfile));
                Assert.Contains("tofu providers lock", text);
                Assert.Contains("/infra/hetzner/.terraform.lock.hcl", text);
            }
        }
    }

    [Fact]
    public void Encryption_is_enforced_in_code_and_takes_its_method_from_the_apps_TF_ENCRYPTION()
    {
        var encryption = Assert.Single(Assert.IsType<JsonArray>(Versions["encryption"]))!.AsObject();
        foreach (var target in new[] { "state", "plan" })
        {
            var block = Assert.Single(Assert.IsType<JsonArray>(encryption[target]))!.AsObject();
            Assert.Equal("true", HclModule.Json(block["enforced"]!));
            // OpenTofu merges TF_ENCRYPTION over this block (method from the environment,
            // enforced when either says so); a method or key here would compete with the app's.
            Assert.False(block.ContainsKey("method"), $"{target} names a method in code");
        }

        Assert.False(encryption.ContainsKey("key_provider"));
        Assert.False(encryption.ContainsKey("method"));

        var fromApp = TofuEnvironment.EncryptionConfig(new string('p', 32));
        Assert.Contains("key_provider \"pbkdf2\" \"catalyst\"", fromApp);
        Assert.Contains("method \"aes_gcm\" \"catalyst\"", fromApp);
        Assert.Matches(@"state\s*\{[^}]*method\s*=\s*method\.aes_gcm\.catalyst", fromApp);
        Assert.Matches(@"plan\s*\{[^}]*method\s*=\s*method\.aes_gcm\.catalyst", fromApp);
    }

    [Fact]
    public void Readme_hand_run_example_uses_the_apps_key_provider_and_method_names()
    {
        // The example sets TF_ENCRYPTION in a double-quoted shell string, so its quotes are escaped.
        var readme = File.ReadAllText(Path.Combine(Module.ModuleDir, "README.md")).Replace("\\\"", "\"", StringComparison.Ordinal);
        Assert.Contains("key_provider \"pbkdf2\" \"catalyst\"", readme);
        Assert.Contains("method \"aes_gcm\" \"catalyst\"", readme);
        Assert.Contains("method.aes_gcm.catalyst", readme);
    }

    // ── server and load-balancer types ─────────────────────────────────────────

    // CX Gen2 and CPX Gen1, which Hetzner deprecated for removal at the end of 2025.
    public static readonly string[] DeprecatedTypes =
        ["cx11", "cx21", "cx22", "cx31", "cx32", "cx41", "cx42", "cx51", "cx52", "cpx11", "cpx21", "cpx31", "cpx41", "cpx51"];

    [Fact]
    public void Deprecated_types_match_between_the_module_and_the_app()
    {
        foreach (var size in new[] { "control_plane_size", "worker_size" })
        {
            var conditions = Module.Variable(size).Body["validation"]!.AsArray().Select(v => HclModule.Text(v!["condition"])).ToList();
            var refused = Assert.Single(conditions, c => c.Contains("!contains(", StringComparison.Ordinal));
            var listed = Regex.Matches(refused, "\"(c[a-z]+[0-9]+)\"").Select(m => m.Groups[1].Value).Order();
            Assert.Equal(DeprecatedTypes.Order(), listed);
        }

        Assert.Equal(DeprecatedTypes.Order(), HetznerServerTypes.Removed.Order());
    }

    [Fact]
    public void Sizes_are_refused_at_plan_when_the_region_does_not_offer_them_or_deprecates_them()
    {
        var cp = Assert.Single(Module.DataSources, d => d.Address == "hcloud_server_type.control_plane");
        Assert.Equal("${var.control_plane_size}", HclModule.Text(cp.Body["name"]));
        var worker = Assert.Single(Module.DataSources, d => d.Address == "hcloud_server_type.worker");
        Assert.Equal("${var.worker_size}", HclModule.Text(worker.Body["name"]));
        Assert.Contains("var.worker_count > 0", HclModule.Text(worker.Body["count"]));

        foreach (var (resource, local) in new[] { ("control_plane", "control_plane_type_in_region"), ("worker", "worker_type_in_region") })
        {
            Assert.Contains("l.name == var.region", Module.LocalText(local));
            var server = Module.Resources.Single(r => r.Address == $"hcloud_server.{resource}");
            var conditions = Assert.Single(server.Body["lifecycle"]!.AsArray())!["precondition"]!.AsArray()
                .Select(p => HclModule.Text(p!["condition"])).ToList();
            Assert.Contains(conditions, c => c.Contains($"local.{local} != null"));
            Assert.Contains(conditions, c => c.Contains($"!local.{local}.is_deprecated"));
            Assert.Contains(conditions, c => c.Contains($"local.{local}.available"));
        }
    }

    [Theory]
    [InlineData(false, 0, "lb11")]
    [InlineData(true, 22, "lb11")]
    [InlineData(true, 23, "lb21")]
    [InlineData(false, 50, "lb21")]
    [InlineData(true, 50, "lb21")]
    public void Load_balancer_type_holds_every_node(bool ha, int workers, string expected)
    {
        var targets = Evaluate(Module.LocalText("load_balancer_targets"), new() { ["ha_enabled"] = ha, ["worker_count"] = (double)workers }, new() { ["control_plane_count"] = ha ? 3.0 : 1.0 });
        Assert.Equal((ha ? 3 : 1) + workers, Assert.IsType<double>(targets));
        var type = Evaluate(Module.LocalText("load_balancer_type"), [], new() { ["load_balancer_targets"] = targets });
        Assert.Equal(expected, type);
        // Hetzner's limits (lb11: 25, the provider's own test; lb21: 75; lb31: 150).
        var limits = new Dictionary<string, int> { ["lb11"] = 25, ["lb21"] = 75, ["lb31"] = 150 };
        Assert.True((double)targets! <= limits[expected]);

        // And the choice is checked against the API's max_targets at plan.
        var lb = Module.Resources.Single(r => r.Address == "hcloud_load_balancer.this");
        Assert.Equal("${local.load_balancer_type}", HclModule.Text(lb.Body["load_balancer_type"]));
        var precondition = HclModule.Text(lb.Body["lifecycle"]![0]!["precondition"]![0]!["condition"]);
        Assert.Contains("data.hcloud_load_balancer_type.this.max_targets >= local.load_balancer_targets", precondition);
    }

    [Fact]
    public void Worker_count_limit_fits_the_largest_load_balancer_type_chosen()
    {
        var condition = HclModule.Text(Module.Variable("worker_count").Body["validation"]![0]!["condition"]);
        var max = int.Parse(Regex.Match(condition, @"var\.worker_count <= (\d+)").Groups[1].Value);
        Assert.True(3 + max <= 75, "the node count can outgrow lb21");
        Assert.Equal(DeploymentValidator.MaxWorkers, max);
    }

    // ── SSH sources ────────────────────────────────────────────────────────────

    [Fact]
    public void Ssh_sources_refuse_host_bits_and_take_a_bare_address_as_a_single_host()
    {
        var condition = HclModule.Text(Module.Variable("ssh_allowed_cidrs").Body["validation"]![0]!["condition"]);
        // The address part must equal the block's network address, as the provider demands.
        Assert.Contains("== split(\"/\", c)[0]", condition);
        Assert.Contains("\"${c}/32\"", condition);
        Assert.Contains("\"${c}/128\"", condition);
        // The firewall gets the normalised list.
        Assert.Contains("\"${c}/32\"", Module.LocalText("ssh_allowed_cidrs"));
        var firewall = Module.Resources.Single(r => r.Address == "hcloud_firewall.nodes");
        Assert.Contains("local.ssh_allowed_cidrs", HclModule.Json(firewall.Body));
    }

    // ── rendered nodes ─────────────────────────────────────────────────────────

    [Theory]
    [MemberData(nameof(RenderedNodes.ScenarioData), MemberType = typeof(RenderedNodes))]
    public void Rendered_scripts_pass_bash_n_and_shellcheck(string scenario)
    {
        var shellcheck = RenderedNodes.Which("shellcheck");
        if (shellcheck is null)
        {
            // CI installs it (.ci/run); locally the bash -n half still runs.
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "shellcheck is missing in CI");
        }

        var dir = Directory.CreateTempSubdirectory("catalyst-render-");
        try
        {
            var failures = new List<string>();
            foreach (var node in RenderedNodes.Render(RenderedNodes.Named(scenario)))
            {
                var scripts = new List<(string, string)> { (node.Name, node.Script) };
                if (RenderedNodes.Files(node.Script).TryGetValue("/usr/local/sbin/catalyst-bootstrap", out var bootstrap))
                {
                    scripts.Add((node.Name + "-bootstrap", bootstrap));
                }

                foreach (var (name, script) in scripts)
                {
                    var path = Path.Combine(dir.FullName, name + ".sh");
                    File.WriteAllText(path, script);
                    var (code, output) = RenderedNodes.Run("bash", "-n", path);
                    if (code != 0) failures.Add($"{scenario}/{name}: bash -n: {output}");
                    if (shellcheck is not null)
                    {
                        (code, output) = RenderedNodes.Run(shellcheck, "--shell=bash", "--severity=style", path);
                        if (code != 0) failures.Add($"{scenario}/{name}: shellcheck:\n{output}");
                    }
                }
            }

            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(RenderedNodes.ScenarioData), MemberType = typeof(RenderedNodes))]
    public void Rendered_config_files_parse_and_carry_the_inputs_verbatim(string scenario)
    {
        foreach (var node in RenderedNodes.Render(RenderedNodes.Named(scenario)))
        {
            var files = RenderedNodes.Files(node.Script);
            // JSON is YAML: k3s reads these two as YAML, and strict JSON leaves nothing to misread.
            var config = JsonNode.Parse(files["/etc/rancher/k3s/config.yaml"])!.AsObject();
            JsonNode.Parse(files["/etc/rancher/k3s/registries.yaml"]);
            Assert.Equal(RenderedNodes.K3sToken, config["token"]!.GetValue<string>());

            if (node.Name == "cp-1")
            {
                var sync = JsonNode.Parse(files["/etc/catalyst/bootstrap/flux-sync.json"])!["items"]!.AsArray();
                Assert.Equal("https://github.com/openova-io/openova", sync[0]!["spec"]!["url"]!.GetValue<string>());
                Assert.Equal("main", sync[0]!["spec"]!["ref"]!["branch"]!.GetValue<string>());
                Assert.All(sync.Skip(1), k => Assert.Equal("acme.omani.works", k!["spec"]!["postBuild"]!["substitute"]!["SOVEREIGN_FQDN"]!.GetValue<string>()));
                var secrets = JsonNode.Parse(files["/etc/catalyst/bootstrap/secrets.json"])!["items"]!.AsArray();
                Assert.Equal(
                    ["catalyst-handover-jwt-public", "ghcr-pull", "harbor-robot-token", "object-storage", "powerdns-api-credentials"],
                    secrets.Select(s => s!["metadata"]!["name"]!.GetValue<string>()).Order());
                Assert.Contains("[Service]", files["/etc/systemd/system/catalyst-bootstrap.service"]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(RenderedNodes.ScenarioData), MemberType = typeof(RenderedNodes))]
    public void Every_node_pulls_only_through_harbor_and_servers_leave_kube_proxy_to_cilium(string scenario)
    {
        foreach (var node in RenderedNodes.Render(RenderedNodes.Named(scenario)))
        {
            var config = JsonNode.Parse(RenderedNodes.Files(node.Script)["/etc/rancher/k3s/config.yaml"])!.AsObject();
            Assert.True(config["disable-default-registry-endpoint"]!.GetValue<bool>(), $"{node.Name} may fall back to docker.io");
            if (node.Template == "cloudinit-control-plane.tftpl")
            {
                Assert.True(config["disable-kube-proxy"]!.GetValue<bool>(), $"{node.Name} runs kube-proxy beside Cilium");
            }

            Assert.Contains("export HOME=/root", node.Script);
            // sshd keeps the first value it reads; drop-ins are read in name order.
            Assert.Contains("cat > /etc/ssh/sshd_config.d/00-catalyst.conf <<'SSHD'", node.Script);
            Assert.DoesNotContain("90-catalyst.conf", node.Script);
        }
    }

    [Theory]
    [MemberData(nameof(RenderedNodes.ScenarioData), MemberType = typeof(RenderedNodes))]
    public void Only_node_1_bootstraps_through_a_retrying_unit_and_its_downloads_are_verified(string scenario)
    {
        var nodes = RenderedNodes.Render(RenderedNodes.Named(scenario));
        Assert.All(nodes.Where(n => n.Name != "cp-1"), n => Assert.DoesNotContain("catalyst-bootstrap.service", n.Script));

        var first = nodes.Single(n => n.Name == "cp-1");
        var files = RenderedNodes.Files(first.Script);
        var unit = files["/etc/systemd/system/catalyst-bootstrap.service"];
        Assert.Contains("ExecStart=/usr/local/sbin/catalyst-bootstrap", unit);
        Assert.Contains("Restart=on-failure", unit);
        Assert.Contains("ConditionPathExists=!/var/lib/catalyst/bootstrap-complete", unit);
        Assert.Contains("Environment=HOME=/root", unit);
        Assert.Contains("systemctl enable --now --no-block catalyst-bootstrap.service", first.Script);

        var bootstrap = files["/usr/local/sbin/catalyst-bootstrap"];
        // Retries for as long as the app waits for the kubeconfig (15 minutes by default), and more.
        var deadline = int.Parse(Regex.Match(bootstrap, @"DEADLINE_SECONDS=(\d+)").Groups[1].Value);
        Assert.True(deadline >= 15 * 60, $"the bootstrap gives up after {deadline} s, before the app's 15-minute wait");
        Assert.Contains("until \"$0\" once; do", bootstrap);
        Assert.Matches(@"delay=\$\(\( delay \* 2 > \d+ \? \d+ : delay \* 2 \)\)", bootstrap);

        // Every download is checked against a pinned sha256 before use.
        Assert.Matches(@"echo ""\$3  \$2\.part"" \| sha256sum -c --status -", bootstrap);
        foreach (var pin in new[] { "HELM_SHA256", "FLUX_SHA256" })
        {
            Assert.Equal(2, Regex.Matches(bootstrap, $"{pin}='[0-9a-f]{{64}}'").Count);
        }

        Assert.Matches(@"fetch ""https://get\.helm\.sh/helm-\$HELM_VERSION-linux-\$ARCH\.tar\.gz"" ""[^""]+"" ""\$HELM_SHA256""", bootstrap);
        Assert.Matches(@"fetch ""https://github\.com/fluxcd/flux2/releases/download/\$FLUX_VERSION/[^""]+"" ""[^""]+"" ""\$FLUX_SHA256""", bootstrap);
        var downloads = Regex.Matches(bootstrap, @"(?m)^\s*(code=\$\()?curl [^\n]*").Select(m => m.Value).ToList();
        Assert.Equal(2, downloads.Count); // fetch() and the postback
        Assert.DoesNotContain("install.yaml", bootstrap);

        // Cilium on Hetzner's private network: 1450, not eth0's 1500.
        Assert.Contains("--set MTU=1450", bootstrap);
        Assert.Contains("--set kubeProxyReplacement=true", bootstrap);
    }

    [Theory]
    [MemberData(nameof(RenderedNodes.ScenarioData), MemberType = typeof(RenderedNodes))]
    public void Postback_retries_only_transient_failures_quotes_its_url_and_keeps_the_bearer_out_of_argv(string scenario)
    {
        var first = RenderedNodes.Render(RenderedNodes.Named(scenario)).Single(n => n.Name == "cp-1");
        var files = RenderedNodes.Files(first.Script);
        var bootstrap = files["/usr/local/sbin/catalyst-bootstrap"];

        // The bearer lives only in the 0600 header file, created before it is written.
        Assert.Equal($"Authorization: Bearer {RenderedNodes.Bearer}\n", files["/etc/catalyst/bootstrap/postback-header"]);
        var create = first.Script.IndexOf("install -m 0600 /dev/null /etc/catalyst/bootstrap/postback-header", StringComparison.Ordinal);
        var write = first.Script.IndexOf("cat > /etc/catalyst/bootstrap/postback-header", StringComparison.Ordinal);
        Assert.True(create >= 0 && create < write);
        Assert.Single(Regex.Matches(first.Script, Regex.Escape(RenderedNodes.Bearer)));

        var route = TofuContract.KubeconfigPostbackRouteTemplate.Replace("{id}", "0123456789abcdef", StringComparison.Ordinal);
        Assert.Contains($"POSTBACK_URL='https://catalyst.example.test/base/{route}'", bootstrap);
        var curl = Regex.Replace(Regex.Match(bootstrap, @"code=\$\(curl (?:[^\n]*\\\n)*[^\n]*").Value, @"\\\n\s*", " ");
        Assert.Contains("-X PUT", curl);
        Assert.Contains("-H @\"$INPUTS/postback-header\"", curl);
        Assert.Contains("\"$POSTBACK_URL\"", curl);
        Assert.Contains("--retry-connrefused", curl);
        Assert.DoesNotContain("--retry-all-errors", bootstrap);
        Assert.DoesNotContain("Bearer", curl);
        Assert.Contains("000 | 408 | 429 | 5??) ", bootstrap);
        Assert.Contains("2??) ", bootstrap);
    }

    // ── no removed size anywhere ───────────────────────────────────────────────

    [Fact]
    public void No_removed_server_type_remains_in_the_repository()
    {
        var (code, output) = RenderedNodes.Run("git", "-C", Module.RepoRoot, "ls-files", "-z");
        Assert.Equal(0, code);
        var word = new Regex($@"\b({string.Join('|', DeprecatedTypes)})\b");
        var allowed = new HashSet<string>
        {
            // The lists that refuse them.
            "infra/hetzner/variables.tf",
            "src/Domain/Deployments/HetznerServerTypes.cs",
            "tests/Infra.Tests/ProviderAndBootTests.cs",
            "tests/Domain.Tests/Deployments/HetznerServerTypesTests.cs",
            "tests/Functions.Tests/Http/Deployments/ServerTypeApiTests.cs",
        };
        var hits = new List<string>();
        foreach (var file in output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            if (allowed.Contains(file)) continue;
            var path = Path.Combine(Module.RepoRoot, file);
            if (!File.Exists(path) || new FileInfo(path).Length > 2_000_000) continue;
            var text = File.ReadAllText(path);
            if (text.Contains('\0')) continue;
            hits.AddRange(word.Matches(text).Select(m => $"{file}: {m.Value}"));
        }

        Assert.True(hits.Count == 0, string.Join("\n", hits));
    }

    [Fact]
    public void Example_sizes_are_current_types_offered_in_the_example_regions()
    {
        var readme = File.ReadAllText(Path.Combine(Module.ModuleDir, "README.md"));
        var size = Regex.Match(readme, "\"control_plane_size\": \"([a-z0-9]+)\"").Groups[1].Value;
        var region = Regex.Match(readme, "\"region\": \"([a-z0-9]+)\"").Groups[1].Value;
        Assert.True(HetznerServerTypes.OfferedIn(size, region), $"{size} in {region}");
    }

    // Evaluates a module expression with the test renderer: var.* and local.* as given.
    private static object? Evaluate(string expression, Dictionary<string, object?> vars, Dictionary<string, object?> locals)
    {
        var scope = new Dictionary<string, object?>
        {
            ["var"] = new SortedDictionary<string, object?>(vars, StringComparer.Ordinal),
            ["local"] = new SortedDictionary<string, object?>(locals, StringComparer.Ordinal),
        };
        var rendered = TemplateRenderer.Render("${jsonencode(" + expression[2..^1] + ")}", scope);
        return JsonNode.Parse(rendered) switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
            JsonValue v => v.GetValue<string>(),
            _ => throw new InvalidOperationException(rendered),
        };
    }
}
