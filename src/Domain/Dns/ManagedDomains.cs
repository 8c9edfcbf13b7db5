namespace Catalyst.Domain.Dns;

/// <summary>
/// The pool domains whose DNS we own and write through Dynadot (reference C.2). Anything else is a customer's
/// domain and never reaches Dynadot with our credentials. Built from settings, once per host, as the original's
/// <c>sync.Once</c>; an object rather than a static so a test builds its own instead of resetting global state.
/// The list is runtime configuration (seed: a third pool domain is a secret update, not a code change); the legacy
/// single <c>domain</c> key still works (seed, pre-#108).
/// </summary>
public sealed class ManagedDomains
{
    public const string ListSetting = "DYNADOT_MANAGED_DOMAINS";
    public const string SingleSetting = "DYNADOT_DOMAIN";

    /// <summary>Fail closed: without configuration only OpenOva's own pools are managed.</summary>
    public static readonly IReadOnlyList<string> Defaults = ["omani.works", "openova.io"];

    readonly HashSet<string> domains;

    ManagedDomains(IEnumerable<string> domains)
    {
        this.domains = new HashSet<string>(domains, StringComparer.Ordinal);
        All = this.domains.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Sorted, as the original's <c>ManagedDomains()</c>.</summary>
    public IReadOnlyList<string> All { get; }

    public static ManagedDomains Of(params string[] domains) => new(domains.Select(d => d.Trim().ToLowerInvariant()));

    /// <summary>The list setting wins when it yields anything,
    /// then the legacy single domain, then the defaults.</summary>
    public static ManagedDomains From(Func<string, string?> read)
    {
        var list = SplitList(read(ListSetting));
        if (list.Count > 0) return new ManagedDomains(list);
        var single = read(SingleSetting)?.Trim().ToLowerInvariant();
        return new ManagedDomains(string.IsNullOrEmpty(single) ? Defaults : [single]);
    }

    /// <summary>Lower-cased; commas count as spaces; split on
    /// whitespace; duplicates dropped, first occurrence kept.</summary>
    public static IReadOnlyList<string> SplitList(string? raw) =>
        string.IsNullOrWhiteSpace(raw)
            ? []
            : raw.ToLowerInvariant().Replace(',', ' ')
                .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Trims and lower-cases the candidate; empty is never managed.</summary>
    public bool Contains(string? domain)
    {
        var normalized = domain?.Trim().ToLowerInvariant();
        return !string.IsNullOrEmpty(normalized) && domains.Contains(normalized);
    }
}
