namespace Catalyst.Domain.Deployments;

/// <summary>
/// Replaces known secret values with <c>&lt;redacted&gt;</c>. Events, logs, tofu lines and error details pass through
/// one of these before they are stored: a tofu provider that echoes a token must not put it into the timeline.
/// Longest first, so a secret that contains another is replaced whole.
/// </summary>
public sealed class Redactor
{
    /// <summary>For configured values redacted everywhere: shorter ones would redact ordinary words.</summary>
    public const int OperatorMinimumLength = 6;

    readonly string[] secrets;
    readonly int minimumLength;

    public Redactor(IEnumerable<string?> secrets, int minimumLength = OperatorMinimumLength)
    {
        this.minimumLength = Math.Max(1, minimumLength);
        this.secrets = secrets.OfType<string>().Select(s => s.Trim()).Where(s => s.Length >= this.minimumLength)
            .Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();
    }

    public static Redactor None { get; } = new([]);

    public Redactor With(IEnumerable<string?> more) => new(secrets.Concat(more), minimumLength);

    public string Redact(string text)
    {
        foreach (var secret in secrets)
            if (text.Contains(secret, StringComparison.Ordinal))
                text = text.Replace(secret, DeploymentRequest.RedactedValue, StringComparison.Ordinal);
        return text;
    }
}
