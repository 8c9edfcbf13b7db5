using System.Globalization;
using System.Text;

namespace Catalyst.Infra.Tests;

// templatefile() for the subset of the HCL template language the module's .tftpl files use, so
// the tests can read the script a node would really run (no tofu binary is available here).
// Supported: ${...} and %{ if } / %{ else } / %{ endif } with ~ strip markers, $${ and %%{
// escapes; literals, tuples, objects, traversals, ! - * / % + - comparisons && || and ?:;
// the functions jsonencode, merge, concat, length, urlencode and base64encode. Anything else
// throws, so a template that grows past this subset fails its test instead of rendering wrong.
public static class TemplateRenderer
{
    public static string Render(string template, IReadOnlyDictionary<string, object?> vars) =>
        new Parser(template, vars).RenderTemplate();

    // Go's encoding/json, as cty's jsonencode uses it: keys sorted, <, > and & escaped.
    public static string JsonEncode(object? value)
    {
        var text = new StringBuilder();
        Encode(value, text);
        return text.ToString();
    }

    private static void Encode(object? value, StringBuilder text)
    {
        switch (value)
        {
            case null: text.Append("null"); break;
            case bool b: text.Append(b ? "true" : "false"); break;
            case double d: text.Append(FormatNumber(d)); break;
            case string s: EncodeString(s, text); break;
            case List<object?> list:
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0) text.Append(',');
                    Encode(list[i], text);
                }

                text.Append(']');
                break;
            case SortedDictionary<string, object?> map:
                text.Append('{');
                var first = true;
                foreach (var (key, item) in map)
                {
                    if (!first) text.Append(',');
                    first = false;
                    EncodeString(key, text);
                    text.Append(':');
                    Encode(item, text);
                }

                text.Append('}');
                break;
            default: throw new NotSupportedException($"cannot jsonencode {value.GetType()}");
        }
    }

    private static void EncodeString(string s, StringBuilder text)
    {
        text.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: text.Append(c); break;
            }
        }

        text.Append('"');
    }

    private static string FormatNumber(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    public static string AsString(object? value) => value switch
    {
        string s => s,
        double d => FormatNumber(d),
        bool b => b ? "true" : "false",
        null => throw new InvalidOperationException("cannot interpolate null"),
        _ => throw new InvalidOperationException($"cannot interpolate a {value.GetType().Name}"),
    };

    private sealed class Parser(string text, IReadOnlyDictionary<string, object?> vars)
    {
        private int _pos;

        public string RenderTemplate()
        {
            var output = new StringBuilder();
            RenderUntil(output, emit: true, stopAtDirective: false);
            if (_pos < text.Length) throw Error("unexpected directive");
            return output.ToString();
        }

        // Renders literal text and interpolations until the end or (when asked) a %{ else } or
        // %{ endif } directive, which is left unconsumed. emit=false skips without evaluating.
        private string? RenderUntil(StringBuilder output, bool emit, bool stopAtDirective)
        {
            while (_pos < text.Length)
            {
                if (At("$${"))
                {
                    Append(output, emit, "${");
                    _pos += 3;
                }
                else if (At("%%{"))
                {
                    Append(output, emit, "%{");
                    _pos += 3;
                }
                else if (At("${"))
                {
                    _pos += 2;
                    if (Peek() == '~') { _pos++; TrimEnd(output, emit); }
                    var expression = ParseExpression(emit);
                    CloseBrace();
                    Append(output, emit, emit ? AsString(expression) : "");
                }
                else if (At("%{"))
                {
                    var start = _pos;
                    _pos += 2;
                    if (Peek() == '~') { _pos++; TrimEnd(output, emit); }
                    SkipSpace();
                    var keyword = Identifier();
                    if (keyword is "else" or "endif")
                    {
                        if (!stopAtDirective) throw Error($"unexpected %{{ {keyword} }}");
                        _pos = start;
                        return keyword;
                    }

                    if (keyword != "if") throw Error($"unsupported directive %{{ {keyword} }}");
                    var condition = ParseExpression(emit);
                    CloseBrace();
                    var take = emit && AsBool(condition);
                    var ending = RenderUntil(output, take, stopAtDirective: true);
                    if (ending == "else")
                    {
                        Directive("else");
                        ending = RenderUntil(output, emit && !take, stopAtDirective: true);
                    }

                    if (ending != "endif") throw Error("%{ if } without %{ endif }");
                    Directive("endif");
                }
                else
                {
                    Append(output, emit, text[_pos].ToString());
                    _pos++;
                }
            }

            return null;
        }

        private void Directive(string keyword)
        {
            _pos += 2;
            if (Peek() == '~') _pos++;
            SkipSpace();
            if (Identifier() != keyword) throw Error($"expected {keyword}");
            CloseBrace();
        }

        // `}` or `~}`; the latter strips the whitespace that follows.
        private void CloseBrace()
        {
            SkipSpace();
            var strip = Peek() == '~';
            if (strip) _pos++;
            if (Peek() != '}') throw Error("expected }");
            _pos++;
            if (strip)
            {
                while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
            }
        }

        private static void Append(StringBuilder output, bool emit, string value)
        {
            if (emit) output.Append(value);
        }

        private static void TrimEnd(StringBuilder output, bool emit)
        {
            if (!emit) return;
            while (output.Length > 0 && char.IsWhiteSpace(output[^1])) output.Length--;
        }

        // ── expressions ────────────────────────────────────────────────────────
        // eval=false parses without evaluating (the untaken side of a conditional).
        private object? ParseExpression(bool eval)
        {
            var condition = ParseBinary(0, eval);
            SkipSpace();
            if (Peek() != '?') return condition;
            _pos++;
            var take = eval && AsBool(condition);
            var whenTrue = ParseExpression(eval && take);
            SkipSpace();
            Expect(':');
            var whenFalse = ParseExpression(eval && !take);
            return !eval ? null : take ? whenTrue : whenFalse;
        }

        private static readonly string[][] Levels =
        [
            ["||"], ["&&"], ["==", "!="], ["<=", ">=", "<", ">"], ["+", "-"], ["*", "/", "%"],
        ];

        private object? ParseBinary(int level, bool eval)
        {
            if (level == Levels.Length) return ParseUnary(eval);
            var left = ParseBinary(level + 1, eval);
            while (true)
            {
                SkipSpace();
                var op = Levels[level].FirstOrDefault(At);
                if (op is null) return left;
                _pos += op.Length;
                var right = ParseBinary(level + 1, eval);
                left = eval ? Apply(op, left, right) : null;
            }
        }

        private object? Apply(string op, object? left, object? right) => op switch
        {
            "||" => AsBool(left) || AsBool(right),
            "&&" => AsBool(left) && AsBool(right),
            "==" => Equal(left, right),
            "!=" => !Equal(left, right),
            "<" => AsNumber(left) < AsNumber(right),
            ">" => AsNumber(left) > AsNumber(right),
            "<=" => AsNumber(left) <= AsNumber(right),
            ">=" => AsNumber(left) >= AsNumber(right),
            "+" => AsNumber(left) + AsNumber(right),
            "-" => AsNumber(left) - AsNumber(right),
            "*" => AsNumber(left) * AsNumber(right),
            "/" => AsNumber(left) / AsNumber(right),
            "%" => AsNumber(left) % AsNumber(right),
            _ => throw Error($"operator {op}"),
        };

        private static bool Equal(object? a, object? b) => a switch
        {
            null => b is null,
            double d => b is double e && d == e,
            _ => JsonEncode(a) == JsonEncode(b),
        };

        private object? ParseUnary(bool eval)
        {
            SkipSpace();
            if (Peek() == '!') { _pos++; var v = ParseUnary(eval); return eval ? !AsBool(v) : null; }
            if (Peek() == '-' && !char.IsDigit(PeekAt(1))) { _pos++; var v = ParseUnary(eval); return eval ? -AsNumber(v) : null; }
            return ParsePostfix(eval);
        }

        private object? ParsePostfix(bool eval)
        {
            var value = ParsePrimary(eval);
            while (true)
            {
                if (Peek() == '.' && char.IsLetter(PeekAt(1)))
                {
                    _pos++;
                    var name = Identifier();
                    value = eval ? Index(value, name) : null;
                }
                else if (Peek() == '[')
                {
                    _pos++;
                    var key = ParseExpression(eval);
                    SkipSpace();
                    Expect(']');
                    value = eval ? Index(value, key) : null;
                }
                else
                {
                    return value;
                }
            }
        }

        private object? Index(object? collection, object? key) => collection switch
        {
            List<object?> list => list[(int)AsNumber(key)],
            SortedDictionary<string, object?> map => map.TryGetValue(AsString(key), out var v) ? v : throw Error($"no attribute {key}"),
            _ => throw Error($"cannot index {collection?.GetType().Name ?? "null"}"),
        };

        private object? ParsePrimary(bool eval)
        {
            SkipSpace();
            var c = Peek();
            if (c == '"') return ParseString(eval);
            if (char.IsDigit(c) || (c == '-' && char.IsDigit(PeekAt(1))))
            {
                var start = _pos++;
                while (_pos < text.Length && (char.IsDigit(text[_pos]) || text[_pos] == '.')) _pos++;
                return double.Parse(text[start.._pos], CultureInfo.InvariantCulture);
            }

            if (c == '(')
            {
                _pos++;
                var inner = ParseExpression(eval);
                SkipSpace();
                Expect(')');
                return inner;
            }

            if (c == '[')
            {
                _pos++;
                var items = new List<object?>();
                while (true)
                {
                    SkipSpace();
                    if (Peek() == ']') { _pos++; return items; }
                    items.Add(ParseExpression(eval));
                    SkipSpace();
                    if (Peek() == ',') _pos++;
                }
            }

            if (c == '{')
            {
                _pos++;
                var map = new SortedDictionary<string, object?>(StringComparer.Ordinal);
                while (true)
                {
                    SkipSpace();
                    if (Peek() == '}') { _pos++; return map; }
                    string key;
                    if (Peek() == '"') key = eval ? AsString(ParseString(eval)) : SkipString();
                    else if (Peek() == '(') { _pos++; var k = ParseExpression(eval); SkipSpace(); Expect(')'); key = eval ? AsString(k) : ""; }
                    else key = Identifier();
                    SkipSpace();
                    if (Peek() is '=' or ':') _pos++;
                    else throw Error("expected = in object");
                    var value = ParseExpression(eval);
                    if (eval) map[key] = value;
                    SkipSpace();
                    if (Peek() == ',') _pos++;
                }
            }

            var name = Identifier();
            SkipSpace();
            if (Peek() == '(')
            {
                _pos++;
                var args = new List<object?>();
                while (true)
                {
                    SkipSpace();
                    if (Peek() == ')') { _pos++; break; }
                    args.Add(ParseExpression(eval));
                    SkipSpace();
                    if (Peek() == ',') _pos++;
                }

                return eval ? Call(name, args) : null;
            }

            return name switch
            {
                "true" => true,
                "false" => false,
                "null" => null,
                _ when !eval => null,
                _ => vars.TryGetValue(name, out var v) ? v : throw Error($"templatefile() was not given '{name}'"),
            };
        }

        private object? Call(string name, List<object?> args) => name switch
        {
            "jsonencode" => JsonEncode(args.Single()),
            "merge" => args.Aggregate(new SortedDictionary<string, object?>(StringComparer.Ordinal), (acc, a) =>
            {
                foreach (var (k, v) in (SortedDictionary<string, object?>)a!) acc[k] = v;
                return acc;
            }),
            "concat" => args.SelectMany(a => (List<object?>)a!).ToList(),
            "length" => args.Single() switch
            {
                List<object?> l => (double)l.Count,
                SortedDictionary<string, object?> m => m.Count,
                string s => s.Length,
                _ => throw Error("length of what?"),
            },
            "urlencode" => UrlEncode(AsString(args.Single())),
            "base64encode" => Convert.ToBase64String(Encoding.UTF8.GetBytes(AsString(args.Single()))),
            _ => throw Error($"unsupported function {name}()"),
        };

        // Go's url.QueryEscape, as tofu's urlencode uses it.
        private static string UrlEncode(string value)
        {
            var text = new StringBuilder();
            foreach (var b in Encoding.UTF8.GetBytes(value))
            {
                var c = (char)b;
                if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~') text.Append(c);
                else if (c == ' ') text.Append('+');
                else text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }

            return text.ToString();
        }

        private object? ParseString(bool eval)
        {
            Expect('"');
            var value = new StringBuilder();
            while (true)
            {
                if (_pos >= text.Length) throw Error("unterminated string");
                var c = text[_pos];
                if (c == '"') { _pos++; return eval ? value.ToString() : null; }
                if (c == '\\')
                {
                    var e = PeekAt(1);
                    value.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '"' => '"', '\\' => '\\', _ => throw Error($"escape \\{e}") });
                    _pos += 2;
                }
                else if (At("$${")) { value.Append("${"); _pos += 3; }
                else if (At("${"))
                {
                    _pos += 2;
                    var inner = ParseExpression(eval);
                    CloseBrace();
                    if (eval) value.Append(AsString(inner));
                }
                else { value.Append(c); _pos++; }
            }
        }

        private string SkipString()
        {
            ParseString(eval: false);
            return "";
        }

        private string Identifier()
        {
            var start = _pos;
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] is '_' or '-')) _pos++;
            if (start == _pos) throw Error("expected a name");
            return text[start.._pos];
        }

        private static bool AsBool(object? value) => value is bool b ? b : throw new InvalidOperationException($"expected a bool, got {value ?? "null"}");

        private static double AsNumber(object? value) => value is double d ? d : throw new InvalidOperationException($"expected a number, got {value ?? "null"}");

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private void Expect(char c)
        {
            if (Peek() != c) throw Error($"expected '{c}'");
            _pos++;
        }

        private bool At(string s) => string.CompareOrdinal(text, _pos, s, 0, s.Length) == 0;

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private char PeekAt(int offset) => _pos + offset < text.Length ? text[_pos + offset] : '\0';

        private FormatException Error(string message)
        {
            var line = text.Take(Math.Min(_pos, text.Length)).Count(ch => ch == '\n') + 1;
            return new FormatException($"template line {line}: {message}");
        }
    }
}
