using System.Text;
using System.Text.RegularExpressions;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// The environment a tofu child process gets: an allowlist of the app's own (<see cref="Inherited"/>, plus what an
/// operator names in <c>CATALYST_TOFU_ENV_PASSTHROUGH</c>), plus this run's secrets (<c>TF_VAR_*</c>), backend
/// (<c>TF_HTTP_*</c>) and state encryption (<c>TF_ENCRYPTION</c>). Secrets travel only here, never in a file or on a
/// command line (DESIGN §4). An allowlist, not a denylist (issue 15): the process environment also holds the storage
/// key, managed-identity secrets and telemetry keys under names no prefix list anticipates, and tofu runs a module
/// and provider plugins that need none of them.
/// </summary>
public static partial class TofuEnvironment
{
    /// <summary>What tofu and its providers need from the host: where
    /// binaries are, a home and a temp folder, proxies and CAs.</summary>
    public static readonly IReadOnlyList<string> Inherited =
    [
        "PATH", "HOME", "TMPDIR", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
        "no_proxy", "all_proxy",
        "SSL_CERT_FILE", "SSL_CERT_DIR",
    ];

    /// <param name="passthrough">Extra names the operator lets
    /// through; an entry ending in <c>*</c> is a prefix.</param>
    public static Dictionary<string, string> Build(IEnumerable<KeyValuePair<string, string?>> parent,
        TofuInvocation invocation, IReadOnlyList<string>? passthrough = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in parent)
            if (value is not null
                && (Inherited.Contains(name, StringComparer.Ordinal) || Passes(name, passthrough ?? []))
                && !IsOwned(name))
                environment[name] = value;

        environment["TF_INPUT"] = "false";
        environment["TF_IN_AUTOMATION"] = "true";
        foreach (var (name, value) in invocation.SecretVariables)
        {
            if (!VariableName().IsMatch(name))
                throw new ArgumentException($"'{name}' is not a variable name", nameof(invocation));
            environment["TF_VAR_" + name] = value;
        }

        var backend = invocation.Backend;
        environment["TF_HTTP_ADDRESS"] = backend.StateAddress;
        environment["TF_HTTP_UPDATE_METHOD"] = "POST";
        environment["TF_HTTP_LOCK_ADDRESS"] = backend.LockAddress;
        environment["TF_HTTP_UNLOCK_ADDRESS"] = backend.LockAddress;
        // The Functions host routes only standard verbs, so not tofu's default LOCK/UNLOCK (DESIGN §5).
        environment["TF_HTTP_LOCK_METHOD"] = "POST";
        environment["TF_HTTP_UNLOCK_METHOD"] = "DELETE";
        environment["TF_HTTP_USERNAME"] = backend.Username;
        environment["TF_HTTP_PASSWORD"] = backend.Password;
        environment["TF_ENCRYPTION"] = EncryptionConfig(backend.EncryptionPassphrase);
        // The hcloud provider's API base; the app's CATALYST_HETZNER_API_BASE_URL, so tofu and the app see one Hetzner.
        if (invocation.HetznerEndpoint is { Length: > 0 } hetzner) environment["HCLOUD_ENDPOINT"] = hetzner;
        return environment;
    }

    static bool Passes(string name, IReadOnlyList<string> passthrough) =>
        passthrough.Any(p => p.EndsWith('*') ? name.StartsWith(p[..^1], StringComparison.Ordinal) : name == p);

    // Values with these names are this run's own (its backend, its variables): never the parent's, even if let through.
    static readonly string[] OwnedPrefixes = ["TF_VAR_", "TF_HTTP_", "TF_CLI_ARGS"];
    static readonly string[] OwnedNames = ["TF_ENCRYPTION", "TF_INPUT", "TF_IN_AUTOMATION", "HCLOUD_ENDPOINT"];

    static bool IsOwned(string name) =>
        OwnedNames.Contains(name, StringComparer.Ordinal)
            || OwnedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    /// <summary>
    /// OpenTofu's state encryption as <c>TF_ENCRYPTION</c> expects it: the body of a <c>terraform { encryption { … }
    /// }</c> block. pbkdf2 turns the passphrase into an AES-GCM key; <c>enforced</c> makes tofu refuse to write plain
    /// state or plans, so a misconfiguration fails instead of leaking cluster tokens into the blob.
    /// </summary>
    public static string EncryptionConfig(string passphrase)
    {
        if (passphrase.Length < 16)
            throw new ArgumentException("the state encryption passphrase must have at least 16 characters",
                nameof(passphrase));
        var text = new StringBuilder();
        text.Append("key_provider \"pbkdf2\" \"catalyst\" {\n  passphrase = \"").Append(HclString(passphrase))
            .Append("\"\n}\n");
        text.Append("method \"aes_gcm\" \"catalyst\" {\n  keys = key_provider.pbkdf2.catalyst\n}\n");
        text.Append("state {\n  method   = method.aes_gcm.catalyst\n  enforced = true\n}\n");
        text.Append("plan {\n  method   = method.aes_gcm.catalyst\n  enforced = true\n}\n");
        return text.ToString();
    }

    // HCL string escapes, including the template openers, so no passphrase can become an interpolation.
    static string HclString(string value) => value
        .Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r")
        .Replace("${", "$${").Replace("%{", "%%{");

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex VariableName();
}
