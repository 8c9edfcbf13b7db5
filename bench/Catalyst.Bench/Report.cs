using System.Text;
using System.Text.RegularExpressions;
using Catalyst.Testing;

namespace Catalyst.Bench;

/// <summary>
/// What a suite found, printed as it goes and kept as one section of docs/BENCHMARKS.md (replaced on each run of that
/// suite, so the file always holds the latest figures of every suite with the machine and command that produced them).
/// </summary>
public sealed class Report(string suite, string command)
{
    readonly StringBuilder body = new();

    public void Line(string text = "")
    {
        Console.WriteLine(text);
        body.AppendLine(text);
    }

    public void Save()
    {
        var path = Path.Combine(RepoPaths.Root, "docs", "BENCHMARKS.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = File.Exists(path) ? File.ReadAllText(path) : Header;
        var section =
            $"<!-- suite:{suite} -->\n## {suite}\n\n`{command}` — {DateTime.UtcNow:yyyy-MM-dd HH:mm} " +
            $"UTC, {Measure.Machine()}\n\n{body}<!-- /suite:{suite} -->\n";
        var pattern = new Regex($"<!-- suite:{Regex.Escape(suite)} -->.*?<!-- /suite:{Regex.Escape(suite)} -->\n",
            RegexOptions.Singleline);
        text = pattern.IsMatch(text) ? pattern.Replace(text, section.Replace("$", "$$"))
            : text.TrimEnd() + "\n\n" + section;
        File.WriteAllText(path, text);
        Console.WriteLine($"(written to {path})");
    }

    const string Header =
        "# Benchmarks\n" +
        "\n" +
        "Figures from `bench/Catalyst.Bench` (not part of `dotnet test`): " +
        "`dotnet run -c Release --project bench/Catalyst.Bench -- <suite>`.\n" +
        "Every run replaces its suite's section below. The app runs standalone (tests/TestHost: the app's " +
        "functions plus a\n" +
        "baseline orchestration) on an in-process Azurite-backed engine, against the loopback fakes of tests/Testing.";
}
