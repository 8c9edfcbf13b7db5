using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Catalyst.Analyzers;

/// <summary>
/// CAT0001: a line of a C# file is longer than the <c>max_line_length</c> its <c>.editorconfig</c> sets. Roslyn's own
/// analyzers do not read that option; this one does, per file. No option (or not a positive number) → no check.
/// Generated code (<c>obj/</c>, <c>*.g.cs</c>, an <c>&lt;auto-generated&gt;</c> header) is not checked.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LineLengthAnalyzer : DiagnosticAnalyzer
{
    public const string DiagnosticId = "CAT0001";
    public const string Option = "max_line_length";

    static readonly DiagnosticDescriptor Rule = new(
        DiagnosticId,
        "Line is too long",
        "Line is longer than {0} characters ({1})",
        "Style",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Lines of C# are at most the max_line_length the .editorconfig sets.");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSyntaxTreeAction(Analyze);
    }

    static void Analyze(SyntaxTreeAnalysisContext context)
    {
        var tree = context.Tree;
        if (IsUnderObj(tree.FilePath)) return;
        if (!context.Options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(Option, out var value)
            || !int.TryParse(value, out var max) || max <= 0)
            return;
        var text = tree.GetText(context.CancellationToken);
        foreach (var line in text.Lines)
        {
            if (line.Span.Length <= max) continue;
            var location = tree.GetLocation(line.Span);
            context.ReportDiagnostic(Diagnostic.Create(Rule, location, max, line.Span.Length));
        }
    }

    static bool IsUnderObj(string path) =>
        path.Replace('\\', '/').Contains("/obj/");
}
