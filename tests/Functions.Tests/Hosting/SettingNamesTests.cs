using System.Text.RegularExpressions;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Hosting;

/// <summary>
/// Issue 20: each environment variable is read in exactly one place. The name of every <c>CATALYST_*</c> and
/// <c>DYNADOT_*</c> variable is a string literal in one file of src/ only (its settings type); everything else refers to
/// that type's constant. Comments may name a variable anywhere (they say why); the README and deploy/ list them too.
/// </summary>
public sealed partial class SettingNamesTests
{
    [GeneratedRegex("\"((?:CATALYST|DYNADOT)_[A-Z0-9_]+)\"")]
    private static partial Regex NameLiteral();

    [Fact]
    public void EachVariableNameIsWrittenInOneSourceFileOnly()
    {
        var files = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var where = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var file in files)
            foreach (var line in File.ReadLines(file).Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)))
                foreach (Match match in NameLiteral().Matches(line))
                {
                    var name = match.Groups[1].Value;
                    if (!where.TryGetValue(name, out var set)) where[name] = set = new SortedSet<string>(StringComparer.Ordinal);
                    set.Add(Path.GetRelativePath(RepoPaths.Root, file));
                }

        Assert.NotEmpty(where);
        var twice = where.Where(w => w.Value.Count > 1).Select(w => $"{w.Key}: {string.Join(", ", w.Value)}").ToList();
        Assert.True(twice.Count == 0, "Read in more than one file (refer to the settings type's constant instead):\n" + string.Join('\n', twice));
    }
}
