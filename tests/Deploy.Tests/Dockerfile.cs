using System.Text.RegularExpressions;

namespace Catalyst.Deploy.Tests;

/// <summary>
/// A Dockerfile read the way BuildKit reads it, for what the tests need: comment lines dropped, backslash continuations
/// joined, instructions grouped into stages by FROM. No Docker engine is needed (or available) for this.
/// </summary>
public sealed partial class Dockerfile
{
    public sealed record Instruction(string Keyword, string Arguments);

    public sealed record Stage(string BaseImage, string? Name, IReadOnlyList<Instruction> Instructions)
    {
        public IEnumerable<string> Arguments(string keyword) =>
            Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

        /// <summary>ENV in both forms (key=value pairs, or "key value"), later values winning.</summary>
        public IReadOnlyDictionary<string, string> Environment()
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var arguments in Arguments("ENV"))
            {
                var pairs = EnvPair().Matches(arguments);
                if (pairs.Count > 0)
                    foreach (Match m in pairs) env[m.Groups["key"].Value] = m.Groups["value"].Value.Trim('"');
                else if (arguments.Split(' ', 2) is [var key, var value])
                    env[key] = value.Trim();
            }

            return env;
        }

        public string? User => Arguments("USER").LastOrDefault();
    }

    public Dockerfile(string path)
    {
        Path = path;
        var logical = new List<string>();
        var current = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.TrimEnd();
            if (line.TrimStart().StartsWith('#')) continue; // comments, also inside continued instructions
            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            current += line;
            if (current.Trim().Length > 0) logical.Add(current.Trim());
            current = "";
        }

        var preamble = new List<Instruction>();
        var stages = new List<Stage>();
        foreach (var text in logical)
        {
            var parts = text.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            var instruction = new Instruction(parts[0].ToUpperInvariant(), parts.Length > 1 ? Regex.Replace(parts[1], @"\s+", " ") : "");
            if (instruction.Keyword == "FROM")
            {
                var from = FromLine().Match(instruction.Arguments);
                if (!from.Success) throw new InvalidOperationException($"{path}: cannot read FROM {instruction.Arguments}");
                stages.Add(new Stage(from.Groups["image"].Value, from.Groups["name"].Success ? from.Groups["name"].Value : null, []));
            }
            else if (stages.Count == 0)
            {
                preamble.Add(instruction);
            }
            else
            {
                var last = stages[^1];
                stages[^1] = last with { Instructions = [.. last.Instructions, instruction] };
            }
        }

        GlobalArguments = preamble.Where(i => i.Keyword == "ARG").Select(i => i.Arguments.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1].Trim('"') : "");
        Stages = stages;
    }

    public string Path { get; }
    public IReadOnlyDictionary<string, string> GlobalArguments { get; }
    public IReadOnlyList<Stage> Stages { get; }
    public Stage Final => Stages[^1];
    public Stage StageNamed(string name) => Stages.SingleOrDefault(s => s.Name == name) ?? throw new Xunit.Sdk.XunitException($"{Path}: no stage named {name}");

    [GeneratedRegex(@"^(--platform=\S+\s+)?(?<image>\S+)(\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_.]*)=(?<value>""[^""]*""|\S*)")]
    private static partial Regex EnvPair();
}
