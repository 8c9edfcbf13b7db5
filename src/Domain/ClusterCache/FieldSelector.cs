namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// The field selectors the cache answers (reference D.9): <c>metadata.name</c>, <c>metadata.namespace</c> and
/// <c>metadata.labels.&lt;key&gt;</c> with <c>=</c>, <c>==</c> or <c>!=</c>, comma-separated. Other fields are
/// ignored, as in the original, so a client asking for <c>status.phase</c> gets an unfiltered answer, not an error.
/// </summary>
public sealed class FieldSelector
{
    sealed record Term(string Field, string Value, bool Negated);

    readonly IReadOnlyList<Term> terms;

    FieldSelector(IReadOnlyList<Term> terms) => this.terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var terms = new List<Term>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            if (part.Length == 0) throw new SelectorException("empty requirement");
            var (at, length, negated) = part.IndexOf("!=", StringComparison.Ordinal) is >= 0 and var ne ? (ne, 2, true)
                : part.IndexOf("==", StringComparison.Ordinal) is >= 0 and var eq2 ? (eq2, 2, false)
                : part.IndexOf('=') is >= 0 and var eq ? (eq, 1, false)
                : throw new SelectorException($"'{part}' is not of the form field=value, field==value or field!=value");
            var field = part[..at].Trim();
            if (field.Length == 0) throw new SelectorException($"'{part}' has no field name");
            var value = part[(at + length)..].Trim();
            if (field is "metadata.name" or "metadata.namespace"
                || (field.StartsWith("metadata.labels.", StringComparison.Ordinal) && field.Length > 16))
                terms.Add(new Term(field, value, negated));
        }
        return new FieldSelector(terms);
    }

    public bool Matches(CachedObject item) => terms.All(t =>
    {
        var actual = t.Field switch
        {
            "metadata.name" => item.Name,
            "metadata.namespace" => item.Namespace,
            _ => item.Label(t.Field["metadata.labels.".Length..]),
        };
        return t.Negated ? actual != t.Value : actual == t.Value;
    });
}
