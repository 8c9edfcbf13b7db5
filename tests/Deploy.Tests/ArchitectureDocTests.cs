using System.Text.RegularExpressions;
using Catalyst.Testing;

namespace Catalyst.Deploy.Tests;

/// <summary>
/// docs/ARCHITECTURE.md maps every comment of the seed manifest to where Catalyst honours it (issue 20). Each commented
/// anchor (an environment variable, a volume, an annotation, a key) and each incident it cites (otech64, #557, …) must be
/// in the table, and every repository path the table names must exist.
/// </summary>
public sealed partial class ArchitectureDocTests
{
    static string Doc => File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "ARCHITECTURE.md"));

    /// <summary>The table's rows: the lines under "Where each seed comment is honoured" that start with a pipe.</summary>
    static IReadOnlyList<string> Rows()
    {
        var section = Doc.Split("## Where each seed comment is honoured", 2);
        Assert.Equal(2, section.Length);
        return section[1].Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();
    }

    [Fact]
    public void EverySeedCommentAndIncidentIsInTheTable()
    {
        if (SeedEnvironment.SeedFile() is not { } seed) return;
        var comments = SeedFileReader.Comments(seed);
        Assert.True(comments.Count >= 30, $"only {comments.Count} comment blocks read from the seed");
        var rows = Rows();
        var anchors = rows.Select(r => r.Split('|')[1].Trim().Trim('`')).ToHashSet(StringComparer.Ordinal);

        var missing = comments.Where(c => !anchors.Contains(c.Anchor)).Select(c => $"{c.Anchor}: {c.Text[..Math.Min(80, c.Text.Length)]}").Distinct().ToList();
        Assert.True(missing.Count == 0, "Seed comments with no row in docs/ARCHITECTURE.md:\n" + string.Join('\n', missing));

        var incidents = comments.SelectMany(c => c.Incidents.Select(i => (c.Anchor, Incident: i)))
            .Where(x => !rows.Any(r => r.StartsWith($"| `{x.Anchor}`", StringComparison.Ordinal) && r.Contains(x.Incident, StringComparison.Ordinal)))
            .Select(x => $"{x.Incident} (on {x.Anchor})").Distinct().ToList();
        Assert.True(incidents.Count == 0, "Incidents not cited on their anchor's row:\n" + string.Join('\n', incidents));
    }

    [Fact]
    public void EveryPathTheTableNamesExists()
    {
        var paths = Rows().SelectMany(r => RepoPath().Matches(r.Split('|')[3]).Select(m => m.Groups[1].Value)).Distinct().ToList();
        Assert.NotEmpty(paths);
        var absent = paths.Where(p => !File.Exists(Path.Combine(RepoPaths.Root, p)) && !Directory.Exists(Path.Combine(RepoPaths.Root, p))).ToList();
        Assert.True(absent.Count == 0, "docs/ARCHITECTURE.md names paths that do not exist:\n" + string.Join('\n', absent));
    }

    [GeneratedRegex("`((?:src|deploy|infra|tests)/[^`]+)`")]
    private static partial Regex RepoPath();
}
