using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Catalyst.Domain.Tofu;

namespace Catalyst.Infra.Tests;

// Reasoning over expression strings as hcl2json returns them ("${...}"). Kept small and strict:
// when an expression takes a shape these helpers do not understand, a test fails rather than
// passing by accident.
public static partial class Expressions
{
    [GeneratedRegex(@"\bvar\.([A-Za-z0-9_]+)")]
    private static partial Regex VarRef();

    [GeneratedRegex(@"\blocal\.([A-Za-z0-9_]+)")]
    private static partial Regex LocalRef();

    [GeneratedRegex(@"^\$\{sensitive\(.*\)\}$", RegexOptions.Singleline)]
    private static partial Regex SensitiveWrapper();

    [GeneratedRegex(@"templatefile\(\s*""\$\{path\.module\}/(?<file>[^""]+)""\s*,\s*(?<vars>.*)\)", RegexOptions.Singleline)]
    private static partial Regex TemplateFileCall();

    [GeneratedRegex(@"^\s*""?(?<key>[A-Za-z0-9_./-]+)""?\s*=(?!=)")]
    private static partial Regex ObjectKey();

    public static IEnumerable<string> Variables(string text) => VarRef().Matches(text).Select(m => m.Groups[1].Value);

    public static IEnumerable<string> LocalsIn(string text) => LocalRef().Matches(text).Select(m => m.Groups[1].Value);

    public static bool IsSensitiveWrapped(string expression) => SensitiveWrapper().IsMatch(expression.Trim());

    // The locals whose value carries a secret: they reference a secret variable, the generated
    // cluster token, or another such local. Computed to a fixed point.
    public static IReadOnlySet<string> SecretLocals(HclModule module)
    {
        var secret = new HashSet<string>();
        bool changed;
        do
        {
            changed = false;
            foreach (var (name, value) in module.Locals)
            {
                if (!secret.Contains(name) && CarriesSecret(HclModule.Text(value), secret))
                {
                    changed = secret.Add(name) || changed;
                }
            }
        }
        while (changed);

        return secret;
    }

    public static bool CarriesSecret(string text, IReadOnlySet<string> secretLocals) =>
        Variables(text).Any(TofuContract.SecretVariables.Contains)
        || LocalsIn(text).Any(secretLocals.Contains)
        || text.Contains("random_password.", StringComparison.Ordinal);

    public sealed record TemplateCall(HclModule.Resource Resource, string TemplateFile, string VarsExpression);

    public static IEnumerable<TemplateCall> TemplateCalls(HclModule module)
    {
        foreach (var resource in module.Resources)
        {
            foreach (var (_, value) in resource.Body)
            {
                var match = TemplateFileCall().Match(HclModule.Text(value));
                if (match.Success)
                {
                    yield return new TemplateCall(resource, match.Groups["file"].Value, match.Groups["vars"].Value);
                }
            }
        }
    }

    // The keys of an object expression: literal objects, merge() of locals and inline objects.
    public static IReadOnlySet<string> ObjectKeys(HclModule module, string expression)
    {
        var keys = new HashSet<string>();
        var rest = new StringBuilder();
        var body = expression.Trim();
        if (body.StartsWith("${", StringComparison.Ordinal) && body.EndsWith('}'))
        {
            body = body[2..^1];
        }

        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '"')
            {
                i = SkipString(body, i);
            }
            else if (body[i] == '{')
            {
                var end = MatchingBrace(body, i);
                foreach (var segment in TopLevelSegments(body[(i + 1)..end]))
                {
                    var key = ObjectKey().Match(segment);
                    if (key.Success)
                    {
                        keys.Add(key.Groups["key"].Value);
                    }
                }

                i = end;
            }
            else
            {
                rest.Append(body[i]);
            }
        }

        foreach (var local in LocalsIn(rest.ToString()))
        {
            var value = module.Locals.GetValueOrDefault(local);
            if (value is JsonObject literal)
            {
                keys.UnionWith(literal.Select(kv => kv.Key));
            }
            else
            {
                keys.UnionWith(ObjectKeys(module, HclModule.Text(value)));
            }
        }

        return keys;
    }

    // The value expression given to one key of an object expression, searched textually through
    // inline objects and the locals it merges.
    public static string? ValueOfKey(HclModule module, string expression, string key, int depth = 0)
    {
        var match = Regex.Match(expression, $@"(?m)^\s*{Regex.Escape(key)}\s*=\s*(?<value>[^\n]+)$");
        if (match.Success)
        {
            return match.Groups["value"].Value.Trim();
        }

        foreach (var local in LocalsIn(expression).Distinct())
        {
            var value = module.Locals.GetValueOrDefault(local);
            if (value is JsonObject literal && literal.ContainsKey(key))
            {
                return HclModule.Text(literal[key]);
            }

            if (depth < 5 && ValueOfKey(module, HclModule.Text(value), key, depth + 1) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static int SkipString(string text, int start)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i;
            }
        }

        throw new FormatException($"unterminated string in: {text}");
    }

    private static int MatchingBrace(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '"')
            {
                i = SkipString(text, i);
            }
            else if (text[i] == '{')
            {
                depth++;
            }
            else if (text[i] == '}' && --depth == 0)
            {
                return i;
            }
        }

        throw new FormatException($"unbalanced braces in: {text}");
    }

    // Splits an object body on newlines and commas that are not nested in brackets or strings.
    private static IEnumerable<string> TopLevelSegments(string body)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < body.Length; i++)
        {
            switch (body[i])
            {
                case '"':
                    i = SkipString(body, i);
                    break;
                case '(' or '[' or '{':
                    depth++;
                    break;
                case ')' or ']' or '}':
                    depth--;
                    break;
                case '\n' or ',' when depth == 0:
                    yield return body[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return body[start..];
    }
}
