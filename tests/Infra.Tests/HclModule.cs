using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Catalyst.Infra.Tests;

// infra/hetzner as the real HCL parser sees it. No tofu binary is available here, so the module
// is parsed by @cdktf/hcl2json (HashiCorp's hcl2 compiled to wasm) through hcl2json.mjs, once per
// test run, and the tests reason about the parsed blocks and expression strings.
public sealed class HclModule
{
    private static readonly Lazy<HclModule> Instance = new(Parse);

    public static HclModule Hetzner => Instance.Value;

    public required string RepoRoot { get; init; }
    public required string ModuleDir { get; init; }
    public required IReadOnlyList<Block> Variables { get; init; }
    public required IReadOnlyList<Block> Outputs { get; init; }
    public required IReadOnlyList<Block> Providers { get; init; }
    public required IReadOnlyList<Resource> Resources { get; init; }
    public required IReadOnlyList<Resource> DataSources { get; init; }
    public required IReadOnlyList<(string File, JsonObject Body)> TerraformBlocks { get; init; }
    public required IReadOnlyDictionary<string, JsonNode?> Locals { get; init; }
    public required IReadOnlyDictionary<string, Template> Templates { get; init; }

    public sealed record Block(string Name, string File, JsonObject Body);

    public sealed record Resource(string Type, string Name, string File, JsonObject Body)
    {
        public string Address => $"{Type}.{Name}";
    }

    // Text: the template source. Roots: the names templatefile() must supply (for-loop
    // temporaries excluded by the parser), e.g. "control_plane_ips" for control_plane_ips[0].
    public sealed record Template(string Name, string Text, IReadOnlySet<string> Roots);

    public Block Variable(string name) => Variables.Single(v => v.Name == name);

    public string LocalText(string name) => Locals.TryGetValue(name, out var value) ? Text(value) : "";

    // Any parsed value as text: expressions come back as "${...}" strings, literals as JSON.
    public static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => Json(node),
    };

    // JSON without \u0022-style escapes, so text searches see what the HCL says.
    public static string Json(JsonNode node) => node.ToJsonString(Unescaped);

    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Catalyst.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Catalyst.sln not found above {AppContext.BaseDirectory}");
    }

    private static HclModule Parse()
    {
        var root = FindRepoRoot();
        var moduleDir = Path.Combine(root, "infra", "hetzner");
        var script = Path.Combine(AppContext.BaseDirectory, "hcl2json.mjs");
        var json = RunNode(script, moduleDir);
        var parsed = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidOperationException("hcl2json printed no JSON");

        var variables = new List<Block>();
        var outputs = new List<Block>();
        var providers = new List<Block>();
        var resources = new List<Resource>();
        var dataSources = new List<Resource>();
        var terraform = new List<(string, JsonObject)>();
        var locals = new Dictionary<string, JsonNode?>();

        foreach (var (file, content) in parsed["files"]!.AsObject())
        {
            var body = content!.AsObject();
            variables.AddRange(Named(body["variable"], file));
            outputs.AddRange(Named(body["output"], file));
            providers.AddRange(Named(body["provider"], file));
            resources.AddRange(Typed(body["resource"], file));
            dataSources.AddRange(Typed(body["data"], file));
            foreach (var block in body["terraform"]?.AsArray() ?? [])
            {
                terraform.Add((file, block!.AsObject()));
            }

            foreach (var block in body["locals"]?.AsArray() ?? [])
            {
                foreach (var (name, value) in block!.AsObject())
                {
                    Assert.False(locals.ContainsKey(name), $"local.{name} is defined twice");
                    locals[name] = value?.DeepClone();
                }
            }
        }

        var templates = new Dictionary<string, Template>();
        foreach (var (name, content) in parsed["templates"]!.AsObject())
        {
            var roots = content!["references"]!.AsArray()
                .Select(r => r!.GetValue<string>().Split('.', '[')[0])
                .ToHashSet();
            templates[name] = new Template(name, File.ReadAllText(Path.Combine(moduleDir, name)), roots);
        }

        return new HclModule
        {
            RepoRoot = root,
            ModuleDir = moduleDir,
            Variables = variables,
            Outputs = outputs,
            Providers = providers,
            Resources = resources,
            DataSources = dataSources,
            TerraformBlocks = terraform,
            Locals = locals,
            Templates = templates,
        };
    }

    // hcl2json shape: { "<name>": [ { attributes } ] }
    private static IEnumerable<Block> Named(JsonNode? node, string file) =>
        node?.AsObject().SelectMany(kv => kv.Value!.AsArray().Select(b => new Block(kv.Key, file, b!.AsObject())))
        ?? [];

    // hcl2json shape: { "<type>": { "<name>": [ { attributes } ] } }
    private static IEnumerable<Resource> Typed(JsonNode? node, string file) =>
        node?.AsObject().SelectMany(t => t.Value!.AsObject().SelectMany(kv =>
            kv.Value!.AsArray().Select(b => new Resource(t.Key, kv.Key, file, b!.AsObject()))))
        ?? [];

    private static string RunNode(string script, string moduleDir)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(moduleDir);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("hcl2json.mjs did not finish within 2 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"hcl2json.mjs failed ({process.ExitCode}): {stderr.Result}");
        }

        return stdout;
    }
}
