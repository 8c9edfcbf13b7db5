using System.Text.RegularExpressions;

namespace Catalyst.Deploy.Tests;

/// <summary>
/// Reads the environment out of shared/seed/api-deployment.yaml. That copy lost its indentation (it is a page capture),
/// so it is read line by line rather than as YAML: an upper-case `- name:` starts a variable, and the value, name, key
/// and optional lines up to the next `- name:` describe it. Comments are skipped.
/// </summary>
public static partial class SeedFileReader
{
    public static IReadOnlyList<SeedEnvironment.Entry> Read(string path)
    {
        var entries = new List<SeedEnvironment.Entry>();
        string? name = null;
        SeedEnvironment.Source source = SeedEnvironment.Source.Value;
        string? refName = null, key = null, value = null;
        var optional = false;

        void Flush()
        {
            if (name is not null) entries.Add(new SeedEnvironment.Entry(name, source, refName, key, optional, value));
            name = null;
            source = SeedEnvironment.Source.Value;
            refName = key = value = null;
            optional = false;
        }

        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('#')) continue;
            if (line.StartsWith("- name:", StringComparison.Ordinal))
            {
                Flush();
                var candidate = Unquote(line["- name:".Length..]);
                if (EnvName().IsMatch(candidate)) name = candidate;
                continue;
            }

            if (name is null) continue;
            if (line == "secretKeyRef:") source = SeedEnvironment.Source.Secret;
            else if (line == "configMapKeyRef:") source = SeedEnvironment.Source.ConfigMap;
            else if (line.StartsWith("value:", StringComparison.Ordinal)) value = Unquote(line["value:".Length..]);
            else if (line.StartsWith("name:", StringComparison.Ordinal)) refName = Unquote(line["name:".Length..]);
            else if (line.StartsWith("key:", StringComparison.Ordinal)) key = Unquote(line["key:".Length..]);
            else if (line == "optional: true") optional = true;
            else if (line is "resources:" or "volumeMounts:" or "livenessProbe:" or "readinessProbe:") Flush();
        }

        Flush();
        return entries;
    }

    /// <summary>One comment block of the seed: what it sits on, the incidents it cites, and its text.</summary>
    public sealed record Comment(string Anchor, IReadOnlyList<string> Incidents, string Text);

    /// <summary>
    /// Every comment block (consecutive <c>#</c> lines). Its anchor is the environment variable it describes (the next
    /// <c>- name:</c>, or the variable whose entry it sits inside), else the name or key of the next line (a volume's
    /// name, an annotation, <c>strategy</c>). Incidents are the live clusters (<c>otech48</c>) and issue numbers (<c>#557</c>;
    /// one- or two-digit numbers are the principles document's, not incidents).
    /// </summary>
    public static IReadOnlyList<Comment> Comments(string path)
    {
        var comments = new List<Comment>();
        var block = new List<string>();
        string? variable = null;
        var inEnv = false;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('#'))
            {
                block.Add(line.TrimStart('#').Trim());
                continue;
            }
            var named = line.StartsWith("- name:", StringComparison.Ordinal) ? Unquote(line["- name:".Length..]) : null;
            if (line is "resources:" or "volumeMounts:" or "livenessProbe:" or "readinessProbe:") inEnv = false;
            if (block.Count > 0 && line.Length > 0)
            {
                var anchor = named is not null ? named
                    : inEnv && variable is not null ? variable
                    : line.TrimStart('-', ' ').Split(':')[0].Trim();
                var text = string.Join(' ', block);
                comments.Add(new Comment(anchor, Incident().Matches(text).Select(m => m.Value).Distinct().ToList(), text));
                block.Clear();
            }
            if (line == "env:") inEnv = true;
            if (inEnv && named is not null && EnvName().IsMatch(named)) variable = named;
        }
        return comments;
    }

    [GeneratedRegex(@"otech\d+|#\d{3,}")]
    private static partial Regex Incident();

    static string Unquote(string text) => text.Trim().Trim('"');

    [GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial Regex EnvName();
}
