using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Catalyst.Domain.Tofu;
using Catalyst.FakeTofu;

// A fake `tofu` (DESIGN §8): init, plan -out=FILE, apply FILE, output -json, destroy, state list, version. It refuses
// what real tofu must never be given here (a secret in the tfvars file, state without TF_ENCRYPTION), locks and
// stores state through the http backend like tofu, and writes state after every resource so a kill mid-apply
// leaves partial state. With HCLOUD_ENDPOINT set (as the real hcloud provider reads it) every create and destroy
// is also a POST/DELETE at that Hetzner API (see FakeHetznerApi), and the state holds Hetzner's ids. Import blocks
// (`import { to = ADDRESS  id = "ID" }` in any .tf file) are honoured: plan says "will be imported", apply adds the
// address with that id to state without creating anything. Test knobs: FAKE_TOFU_JOURNAL (one line per
// created/imported/destroyed resource), FAKE_TOFU_RESOURCE_DELAY_MS (per resource), FAKE_TOFU_FAIL=apply (a
// provider error), FAKE_TOFU_DIE_AFTER_CREATE=ADDRESS (exit 137 right after creating ADDRESS, before its state is
// written or the lock released: a SIGKILL in the worst place), FAKE_TOFU_HANG_AFTER_CREATES=N (the next
// creation stalls until tofu is interrupted, then completes and is saved), FAKE_TOFU_APPLY_DELAY_MS (an apply's fixed
// time before its first resource), FAKE_TOFU_APPLIES (a line when an apply starts and ends or a destroy ends, naming the host that ran it). A journal path may hold {deployment_id}: one journal
// per deployment, for runs with many deployments at once.

var interrupted = false;
// Like tofu: the first SIGINT lets the resource in flight finish, then state is saved and the lock released.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    if (interrupted) return;
    interrupted = true;
    Console.WriteLine("Interrupt received.\nPlease wait for OpenTofu to exit or data loss may occur.\nGracefully shutting down...");
});

// FAKE_TOFU_PIDS: one line per command started, so a test can tell whether this process outlived its host.
if (Environment.GetEnvironmentVariable("FAKE_TOFU_PIDS") is { Length: > 0 } pids)
    File.AppendAllText(pids, $"{Environment.ProcessId} {(args.Length > 0 ? args[0] : "")}{Environment.NewLine}");

// FAKE_TOFU_ENV_NAMES: the names (never the values) of this process's environment, one per line, so a test can check
// that tofu inherits only the allowlist.
if (Environment.GetEnvironmentVariable("FAKE_TOFU_ENV_NAMES") is { Length: > 0 } envNames)
    File.WriteAllLines(envNames, Environment.GetEnvironmentVariables().Keys.Cast<string>().Order(StringComparer.Ordinal));

if (args.Length == 0)
{
    Console.Error.WriteLine("Usage: tofu [global options] <subcommand> [args]");
    return 1;
}

FakeBackend? backend = null;
try
{
    switch (args[0])
    {
        case "version":
            Console.WriteLine("OpenTofu v1.8.0-fake\non linux_amd64");
            return 0;
        case "init":
            Preflight();
            Init();
            return 0;
        case "plan":
            Preflight();
            return Plan();
        case "apply":
            Preflight();
            return Apply();
        case "destroy":
            Preflight();
            return Destroy();
        case "output":
            Preflight();
            return Output();
        case "state" when args.Length > 1 && args[1] == "list":
            Preflight();
            return StateList();
        default:
            throw new FakeTofuException($"Error: fake tofu does not know the command \"{args[0]}\"");
    }
}
catch (FakeTofuException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
finally
{
    backend?.Dispose();
}

void Preflight()
{
    var encryption = Environment.GetEnvironmentVariable("TF_ENCRYPTION");
    if (string.IsNullOrWhiteSpace(encryption))
        throw new FakeTofuException("Error: TF_ENCRYPTION is not set: state and plans would be written unencrypted");
    foreach (var part in new[] { "key_provider \"pbkdf2\"", "method \"aes_gcm\"", "state {", "plan {" })
        if (!encryption.Contains(part, StringComparison.Ordinal))
            throw new FakeTofuException($"Error: TF_ENCRYPTION does not configure {part}");
    if (!File.Exists(TofuWorkdir.TfvarsFileName)) return;
    if (File.GetUnixFileMode(TofuWorkdir.TfvarsFileName) != (UnixFileMode.UserRead | UnixFileMode.UserWrite))
        throw new FakeTofuException($"Error: {TofuWorkdir.TfvarsFileName} is readable by others (mode must be 0600)");
    var tfvars = JsonNode.Parse(File.ReadAllText(TofuWorkdir.TfvarsFileName))!.AsObject();
    if (tfvars.Select(p => p.Key).FirstOrDefault(k => TofuContract.SecretVariables.Contains(k)) is { } secret)
        throw new FakeTofuException($"Error: secret variable {secret} found in {TofuWorkdir.TfvarsFileName}; secrets must come only from TF_VAR_{secret}");
}

JsonObject Variables(bool requireSecrets)
{
    var variables = File.Exists(TofuWorkdir.TfvarsFileName) ? JsonNode.Parse(File.ReadAllText(TofuWorkdir.TfvarsFileName))!.AsObject() : new JsonObject();
    if (requireSecrets)
        foreach (var required in new[] { "hcloud_token", "harbor_robot_token" })
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TF_VAR_" + required)))
                throw new FakeTofuException($"Error: No value for required variable\n\n  on variables_secret.tf: variable \"{required}\"");
    if (variables["deployment_id"]?.GetValue<string>() is not { Length: > 0 })
        throw new FakeTofuException("Error: No value for required variable \"deployment_id\"");
    return variables;
}

void Init()
{
    if (!Directory.EnumerateFiles(".", "*.tf").Any())
        throw new FakeTofuException("Error: No configuration files");
    Console.WriteLine("Initializing the backend...");
    backend = new FakeBackend();
    backend.Get();
    Console.WriteLine("Successfully configured the backend \"http\"! OpenTofu will automatically\nuse this backend unless the backend configuration changes.");
    Console.WriteLine("Initializing provider plugins...\n- Using hetznercloud/hcloud v1.52.0 (fake)\n- Using hashicorp/random v3.7.2 (fake)");
    Directory.CreateDirectory(".terraform");
    File.WriteAllText(Path.Combine(".terraform", "fake-initialized"), "");
    Console.WriteLine("OpenTofu has been successfully initialized!");
}

FakeBackend Initialized()
{
    if (!File.Exists(Path.Combine(".terraform", "fake-initialized")))
        throw new FakeTofuException("Error: Backend initialization required, please run \"tofu init\"");
    return backend = new FakeBackend();
}

int Plan()
{
    var planFile = args.FirstOrDefault(a => a.StartsWith("-out=", StringComparison.Ordinal))?["-out=".Length..]
                   ?? throw new FakeTofuException("Error: fake tofu plans only with -out=FILE");
    var variables = Variables(requireSecrets: true);
    var client = Initialized();
    client.Lock("OperationTypePlan");
    try
    {
        var state = client.Get();
        var existing = state is null ? [] : FakeCloud.Existing(state);
        var desired = FakeCloud.Desired(variables);
        var imports = ImportBlocks().Where(i => !existing.Contains(i.To)).ToList();
        if (imports.FirstOrDefault(i => !desired.Contains(i.To)) is { To: not null } stray)
            throw new FakeTofuException($"Error: Configuration for import target does not exist\n\nThe configuration for the given import target {stray.To} does not exist.");
        var create = desired.Where(r => !existing.Contains(r) && imports.All(i => i.To != r)).ToList();
        if (FakeHetznerApi.FromEnvironment() is null)
            Console.Error.WriteLine("Warning: fake tofu: resources exist only in the state; nothing is created at Hetzner");
        foreach (var import in imports) Console.WriteLine($"  # {import.To} will be imported");
        foreach (var address in create) Console.WriteLine($"  # {address} will be created");
        Console.WriteLine(create.Count + imports.Count == 0
            ? "No changes. Your infrastructure matches the configuration."
            : $"Plan: {(imports.Count > 0 ? $"{imports.Count} to import, " : "")}{create.Count} to add, 0 to change, 0 to destroy.");
        var plan = new JsonObject
        {
            ["serial"] = FakeCloud.Serial(state), ["lineage"] = FakeCloud.Lineage(state),
            ["create"] = new JsonArray(create.Select(c => (JsonNode)c!).ToArray()),
            ["import"] = new JsonArray(imports.Select(i => (JsonNode)new JsonObject { ["to"] = i.To, ["id"] = i.Id }).ToArray()),
        };
        File.WriteAllText(planFile, plan.ToJsonString());
        File.SetUnixFileMode(planFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Console.WriteLine($"Saved the plan to: {planFile}");
        return 0;
    }
    finally
    {
        client.Unlock();
    }
}

int Apply()
{
    var planFile = args.LastOrDefault(a => !a.StartsWith('-')) is { } f && f != "apply" ? f : throw new FakeTofuException("Error: fake tofu applies only a saved plan");
    var variables = Variables(requireSecrets: true);
    var deploymentId = variables["deployment_id"]!.GetValue<string>();
    var client = Initialized();
    client.Lock("OperationTypeApply");
    AppliesJournal(deploymentId, "start");
    try
    {
        // FAKE_TOFU_APPLY_DELAY_MS: the apply takes this long before its first resource (an interrupt ends the wait).
        if (int.TryParse(Environment.GetEnvironmentVariable("FAKE_TOFU_APPLY_DELAY_MS"), out var applyDelay) && applyDelay > 0)
            for (var until = DateTime.UtcNow.AddMilliseconds(applyDelay); DateTime.UtcNow < until && !Volatile.Read(ref interrupted);) Thread.Sleep(20);
        var state = client.Get();
        var plan = JsonNode.Parse(File.ReadAllText(planFile))!.AsObject();
        if (plan["serial"]!.GetValue<long>() != FakeCloud.Serial(state) || plan["lineage"]!.GetValue<string>() != FakeCloud.Lineage(state))
            throw new FakeTofuException("Error: Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed\nby another operation after the plan was created.");
        state ??= FakeCloud.NewState();
        using var hetzner = FakeHetznerApi.FromEnvironment();
        if (hetzner is null)
            Console.Error.WriteLine("Warning: fake tofu: resources exist only in the state; nothing is created at Hetzner");
        if (Environment.GetEnvironmentVariable("FAKE_TOFU_FAIL") == "apply")
            throw new FakeTofuException("Error: creating server: token is invalid (unauthorized)\n\n  with hcloud_server.control_plane[0],\n  on nodes.tf line 8, in resource \"hcloud_server\" \"control_plane\":");
        var imported = 0;
        foreach (var import in (plan["import"]?.AsArray() ?? []).Select(n => (To: n!["to"]!.GetValue<string>(), Id: n["id"]!.GetValue<string>())))
        {
            if (interrupted) break;
            Console.WriteLine($"{import.To}: Importing... [id={import.Id}]");
            Journal($"imported {import.To}", deploymentId);
            FakeCloud.Add(state, import.To, deploymentId, import.Id);
            client.Put(state);
            imported++;
            Console.WriteLine($"{import.To}: Import complete [id={import.Id}]");
        }
        var added = 0;
        var dieAfter = Environment.GetEnvironmentVariable("FAKE_TOFU_DIE_AFTER_CREATE");
        foreach (var address in plan["create"]!.AsArray().Select(n => n!.GetValue<string>()).Where(a => !FakeCloud.Existing(state).Contains(a)))
        {
            if (interrupted) break;
            Console.WriteLine($"{address}: Creating...");
            // FAKE_TOFU_HANG_AFTER_CREATES=N: the (N+1)th creation stalls, holding the lock, until tofu is interrupted;
            // then, like tofu, it finishes that resource and saves it before it stops.
            if (int.TryParse(Environment.GetEnvironmentVariable("FAKE_TOFU_HANG_AFTER_CREATES"), out var hangAfter) && added == hangAfter)
                while (!Volatile.Read(ref interrupted)) Thread.Sleep(50);
            Delay();
            var id = hetzner?.Create(address, variables);
            Journal($"created {address}", deploymentId);
            if (address == dieAfter)
            {
                // Killed between "created at Hetzner" and "state written": no state write, no unlock, no unwinding.
                Console.Out.Flush();
                Environment.Exit(137);
            }
            FakeCloud.Add(state, address, deploymentId, id);
            client.Put(state);
            added++;
            Console.WriteLine($"{address}: Creation complete after 0s [id={FakeCloud.IdOf(state, address)}]");
        }
        if (interrupted) throw new FakeTofuException("Error: execution halted");
        Console.WriteLine($"Apply complete! Resources: {(imported > 0 ? $"{imported} imported, " : "")}{added} added, 0 changed, 0 destroyed.");
        AppliesJournal(deploymentId, "end");
        // cloud-init runs on a server's first boot, not on every apply.
        if (added > 0) FakeCloudInit.PostKubeconfig(variables);
        return 0;
    }
    finally
    {
        client.Unlock();
    }
}

int Destroy()
{
    var variables = Variables(requireSecrets: true);
    var deploymentId = variables["deployment_id"]!.GetValue<string>();
    var client = Initialized();
    client.Lock("OperationTypeApply");
    try
    {
        var state = client.Get() ?? FakeCloud.NewState();
        using var hetzner = FakeHetznerApi.FromEnvironment();
        var destroyed = 0;
        foreach (var address in Enumerable.Reverse(FakeCloud.Existing(state)).ToList())
        {
            if (interrupted) break;
            Console.WriteLine($"{address}: Destroying... [id={FakeCloud.IdOf(state, address)}]");
            Delay();
            hetzner?.Delete(address, FakeCloud.IdOf(state, address), variables);
            Journal($"destroyed {address}", deploymentId);
            FakeCloud.Remove(state, address, deploymentId);
            client.Put(state);
            destroyed++;
            Console.WriteLine($"{address}: Destruction complete after 0s");
        }
        if (interrupted) throw new FakeTofuException("Error: execution halted");
        Console.WriteLine($"Destroy complete! Resources: {destroyed} destroyed.");
        AppliesJournal(deploymentId, "destroyed");
        return 0;
    }
    finally
    {
        client.Unlock();
    }
}

int Output()
{
    if (!args.Contains("-json")) throw new FakeTofuException("Error: fake tofu prints outputs only with -json");
    var state = Initialized().Get();
    var outputs = state?["outputs"]?.AsObject() ?? new JsonObject();
    Console.WriteLine(outputs.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    return 0;
}

int StateList()
{
    var state = Initialized().Get();
    foreach (var address in state is null ? [] : FakeCloud.Existing(state)) Console.WriteLine(address);
    return 0;
}

// Import blocks in the configuration: `import { to = ADDRESS  id = "ID" }`, in any order, on one line or several.
List<(string To, string Id)> ImportBlocks() =>
    Directory.EnumerateFiles(".", "*.tf").OrderBy(f => f, StringComparer.Ordinal)
        .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"(?m)^\s*import\s*\{(?<body>[^}]*)\}"))
        .Select(m => (
            To: System.Text.RegularExpressions.Regex.Match(m.Groups["body"].Value, @"\bto\s*=\s*(?<to>[^\s]+)").Groups["to"].Value,
            Id: System.Text.RegularExpressions.Regex.Match(m.Groups["body"].Value, @"\bid\s*=\s*""(?<id>[^""]*)""").Groups["id"].Value))
        .Select(i => i.To.Length == 0 || i.Id.Length == 0 ? throw new FakeTofuException("Error: Invalid import block: \"to\" and \"id\" are required") : i)
        .ToList();

// FAKE_TOFU_APPLIES: "{deployment id} {state backend's host:port} start|end|destroyed {unix ms}" when an apply begins (holding
// the lock) and when it completes, and when a destroy completes. The backend is the app that started this tofu (CATALYST_TOFU_BACKEND_URL defaults to the host's
// own port), so the line says which host ran the apply.
void AppliesJournal(string deploymentId, string what)
{
    if (Environment.GetEnvironmentVariable("FAKE_TOFU_APPLIES") is { Length: > 0 } applies)
        File.AppendAllText(applies, $"{deploymentId} {new Uri(Environment.GetEnvironmentVariable("TF_HTTP_ADDRESS")!).Authority} {what} {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}{Environment.NewLine}");
}

void Delay()
{
    if (int.TryParse(Environment.GetEnvironmentVariable("FAKE_TOFU_RESOURCE_DELAY_MS"), out var delay) && delay > 0)
        Thread.Sleep(delay);
}

void Journal(string line, string deploymentId)
{
    if (Environment.GetEnvironmentVariable("FAKE_TOFU_JOURNAL") is { Length: > 0 } journal)
        File.AppendAllText(journal.Replace("{deployment_id}", deploymentId, StringComparison.Ordinal), line + Environment.NewLine);
}
