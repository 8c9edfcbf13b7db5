namespace Catalyst.Domain.Dns;

/// <summary>The rule a Sovereign's subdomain must meet (reference A.6), also what keeps blob names safe.</summary>
public static class SubdomainLabel
{
    public const string Rule = "subdomain must be a-z, 0-9 and hyphens, start with a letter, max 63 characters";

    /// <summary>Lower-case, 1–63 characters of a-z, 0-9 and '-', first a letter, last not a hyphen.</summary>
    public static bool IsValid(string? label)
    {
        if (string.IsNullOrEmpty(label) || label.Length > 63) return false;
        if (label[0] is < 'a' or > 'z' || label[^1] == '-') return false;
        return label.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-');
    }

    /// <summary>What the wizard sends, normalised as the original did: trimmed and lower-cased.</summary>
    public static string Normalize(string? raw) => (raw ?? "").Trim().ToLowerInvariant();

    /// <summary>A plausible DNS name (labels of a-z, 0-9, '-', at least two of them): enough to keep a pool
    /// domain out of trouble as a blob path and a Dynadot parameter.</summary>
    public static bool IsDomainName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 253) return false;
        var labels = name.Split('.');
        return labels.Length >= 2 && labels.All(l => l.Length is > 0 and <= 63 && l[0] != '-' && l[^1] != '-'
            && l.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'));
    }
}
