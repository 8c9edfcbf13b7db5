using System.Text.RegularExpressions;

namespace Catalyst.Domain.ClusterCache;

public sealed class SelectorException(string message) : Exception(message);

/// <summary>
/// Kubernetes label selectors (the <c>labels.Parse</c> grammar): comma-separated requirements, each <c>key</c>,
/// <c>!key</c>, <c>key=v</c>, <c>key==v</c>, <c>key!=v</c>, <c>key in (a,b)</c>, <c>key notin (a,b)</c>,
/// <c>key&gt;n</c> or <c>key&lt;n</c>. All must hold. As in Kubernetes, <c>!=</c> and <c>notin</c> also match
/// objects without the label. Keys and values are validated the way the API server does.
/// </summary>
public sealed partial class LabelSelector
{
    enum Op { Exists, DoesNotExist, Equals, NotEquals, In, NotIn, GreaterThan, LessThan }

    sealed record Requirement(string Key, Op Op, IReadOnlyList<string> Values);

    readonly IReadOnlyList<Requirement> requirements;

    LabelSelector(IReadOnlyList<Requirement> requirements) => this.requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEverything => requirements.Count == 0;

    public bool Matches(Func<string, string?> label) => requirements.All(r => Holds(r, label(r.Key)));

    public bool Matches(CachedObject item) => Matches(item.Label);

    static bool Holds(Requirement r, string? value) => r.Op switch
    {
        Op.Exists => value is not null,
        Op.DoesNotExist => value is null,
        Op.Equals or Op.In => value is not null && r.Values.Contains(value),
        Op.NotEquals or Op.NotIn => value is null || !r.Values.Contains(value),
        Op.GreaterThan => long.TryParse(value, out var v) && v > long.Parse(r.Values[0]),
        Op.LessThan => long.TryParse(value, out var v) && v < long.Parse(r.Values[0]),
        _ => false,
    };

    /// <summary>Throws <see cref="SelectorException"/> with the reason when the text is not a selector.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var tokens = new Lexer(text);
        var requirements = new List<Requirement>();
        while (true)
        {
            requirements.Add(ParseRequirement(tokens));
            var next = tokens.Next();
            if (next.Kind == TokenKind.End) break;
            if (next.Kind != TokenKind.Comma)
                throw new SelectorException($"found '{next.Text}', expected: ',' or end of selector");
        }
        return new LabelSelector(requirements);
    }

    static Requirement ParseRequirement(Lexer tokens)
    {
        var first = tokens.Next();
        if (first.Kind == TokenKind.Not)
            return new Requirement(Key(tokens.Next()), Op.DoesNotExist, []);
        var key = Key(first);
        var op = tokens.Peek();
        switch (op.Kind)
        {
            case TokenKind.End or TokenKind.Comma:
                return new Requirement(key, Op.Exists, []);
            case TokenKind.Equals or TokenKind.DoubleEquals or TokenKind.NotEquals:
                tokens.Next();
                var value = tokens.Peek() is { Kind: TokenKind.Identifier } v ? tokens.Next().Text : "";
                return new Requirement(key, op.Kind == TokenKind.NotEquals ? Op.NotEquals : Op.Equals, [Value(value)]);
            case TokenKind.Greater or TokenKind.Less:
                tokens.Next();
                var number = tokens.Next();
                if (number.Kind != TokenKind.Identifier || !long.TryParse(number.Text, out _))
                    throw new SelectorException($"for '{op.Text}' the value must be an integer, found '{number.Text}'");
                return new Requirement(key, op.Kind == TokenKind.Greater ? Op.GreaterThan : Op.LessThan, [number.Text]);
            case TokenKind.Identifier when op.Text is "in" or "notin":
                tokens.Next();
                return new Requirement(key, op.Text == "in" ? Op.In : Op.NotIn, Set(tokens, op.Text));
            default:
                throw new SelectorException($"found '{op.Text}', expected: in, notin, =, ==, !=, gt, lt");
        }
    }

    static List<string> Set(Lexer tokens, string op)
    {
        var open = tokens.Next();
        if (open.Kind != TokenKind.Open)
            throw new SelectorException($"found '{open.Text}', expected: '(' after '{op}'");
        var values = new List<string>();
        while (true)
        {
            var token = tokens.Next();
            if (token.Kind == TokenKind.Close && values.Count == 0)
                throw new SelectorException($"for '{op}' the set of values can't be empty");
            if (token.Kind == TokenKind.Identifier)
            {
                values.Add(Value(token.Text));
                token = tokens.Next();
            }
            else values.Add("");
            if (token.Kind == TokenKind.Close) return values;
            if (token.Kind != TokenKind.Comma)
                throw new SelectorException($"found '{token.Text}', expected: ',' or ')'");
        }
    }

    static string Key(Token token)
    {
        if (token.Kind != TokenKind.Identifier)
            throw new SelectorException($"found '{token.Text}', expected: a label key");
        var key = token.Text;
        var slash = key.IndexOf('/');
        var (prefix, name) = slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
        if (prefix is not null && (prefix.Length is 0 or > 253 || !DnsSubdomain().IsMatch(prefix)))
            throw new SelectorException($"invalid label key \"{key}\": the prefix must be a DNS subdomain");
        if (name.Length is 0 or > 63 || !QualifiedName().IsMatch(name))
            throw new SelectorException(
                $"invalid label key \"{key}\": name part must be 1-63 characters, alphanumeric, '-', '_' or '.', " +
                "starting and ending alphanumeric");
        return key;
    }

    static string Value(string value)
    {
        if (value.Length > 63 || (value.Length > 0 && !QualifiedName().IsMatch(value)))
            throw new SelectorException(
                $"invalid label value \"{value}\": must be at most 63 characters, alphanumeric, '-', '_' or '.', " +
                "starting and ending alphanumeric");
        return value;
    }

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    enum TokenKind { Identifier, Comma, Open, Close, Not, Equals, DoubleEquals, NotEquals, Greater, Less, End }

    readonly record struct Token(TokenKind Kind, string Text);

    sealed class Lexer(string text)
    {
        int position;
        Token? peeked;

        public Token Peek() => peeked ??= Read();

        public Token Next()
        {
            var token = Peek();
            peeked = null;
            return token;
        }

        Token Read()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
            if (position >= text.Length) return new Token(TokenKind.End, "end of selector");
            var c = text[position];
            var two = position + 1 < text.Length ? text.Substring(position, 2) : "";
            if (two == "==") { position += 2; return new Token(TokenKind.DoubleEquals, "=="); }
            if (two == "!=") { position += 2; return new Token(TokenKind.NotEquals, "!="); }
            position++;
            switch (c)
            {
                case ',': return new Token(TokenKind.Comma, ",");
                case '(': return new Token(TokenKind.Open, "(");
                case ')': return new Token(TokenKind.Close, ")");
                case '!': return new Token(TokenKind.Not, "!");
                case '=': return new Token(TokenKind.Equals, "=");
                case '>': return new Token(TokenKind.Greater, ">");
                case '<': return new Token(TokenKind.Less, "<");
            }
            var start = position - 1;
            while (position < text.Length && !char.IsWhiteSpace(text[position])
                && text[position] is not (',' or '(' or ')' or '!' or '=' or '>' or '<'))
                position++;
            return new Token(TokenKind.Identifier, text[start..position]);
        }
    }
}
