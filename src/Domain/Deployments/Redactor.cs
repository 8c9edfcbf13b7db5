namespace Catalyst.Domain.Deployments;

/// <summary>
/// Replaces known secret values with <c>&lt;redacted&gt;</c>. Events, logs and error details pass through one of these
/// before they are stored: a tofu provider that echoes a token must not put it into the timeline.
/// </summary>
public sealed class Redactor
{
    // Shorter values would redact ordinary words; real secrets here are tokens of 16+ characters.
    const int MinimumLength = 6;
    readonly string[] secrets;

    public Redactor(IEnumerable<string?> secrets) =>
        this.secrets = secrets.OfType<string>().Select(s => s.Trim()).Where(s => s.Length >= MinimumLength)
            .Distinct().OrderByDescending(s => s.Length).ToArray();

    public static Redactor None { get; } = new([]);

    public Redactor With(IEnumerable<string?> more) => new(secrets.Concat(more));

    public string Redact(string text)
    {
        foreach (var secret in secrets)
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, DeploymentRequest.RedactedValue, StringComparison.Ordinal);
        return text;
    }
}
