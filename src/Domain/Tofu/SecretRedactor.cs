namespace Catalyst.Domain.Tofu;

/// <summary>
/// Replaces every known secret value in a line before the line leaves the runner (events, logs, exception
/// details). tofu masks sensitive variables itself, but not a provider's error that quotes a token, nor the
/// backend password or the encryption passphrase.
/// </summary>
public sealed class SecretRedactor
{
    public const string Marker = "<redacted>";

    readonly string[] secrets;

    public SecretRedactor(IEnumerable<string?> secrets) =>
        // Longest first, so a secret that contains another is replaced whole.
        this.secrets = secrets.OfType<string>().Where(s => s.Length > 0).Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length).ToArray();

    public static SecretRedactor For(TofuInvocation invocation) => new(
        invocation.SecretVariables.Values
            .Append(invocation.Backend.Password)
            .Append(invocation.Backend.EncryptionPassphrase));

    public string Redact(string text)
    {
        foreach (var secret in secrets)
            if (text.Contains(secret, StringComparison.Ordinal))
                text = text.Replace(secret, Marker, StringComparison.Ordinal);
        return text;
    }
}
