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

    static string Unquote(string text) => text.Trim().Trim('"');

    [GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial Regex EnvName();
}
