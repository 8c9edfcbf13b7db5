using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Dns;

/// <summary>
/// Pool labels no tenant may take (issue 15): names OpenOva's own services use or that mail and browsers treat
/// specially. Before this list any label was a Sovereign subdomain, so a tenant could create <c>console</c> on
/// <c>openova.io</c> and its wipe removed <c>console.openova.io</c>. <c>CATALYST_RESERVED_SUBDOMAINS</c> (comma or
/// space list) replaces the defaults; it is read once at start, and a name that is not a valid label stops the host.
/// </summary>
public sealed class ReservedSubdomains
{
    public const string Setting = "CATALYST_RESERVED_SUBDOMAINS";

    /// <summary>What PDM's check answered for a name on its reserved list (reference A.6, C.1
    /// <c>/api/v1/reserved</c>).</summary>
    public const string Reason = "reserved";
    public const string Detail = "this subdomain is reserved for OpenOva's own services — pick a different name";

    /// <summary>
    /// The brief's list plus names that are dangerous in someone else's hands: <c>autodiscover</c>/<c>autoconfig</c>
    /// (mail clients send credentials to them), <c>webmail</c>, <c>login</c>, <c>pdm</c> (the pool-domain-manager the
    /// original ran), <c>localhost</c> (a public name for loopback confuses same-site checks) and <c>wildcard</c>.
    /// </summary>
    public static readonly IReadOnlyList<string> Defaults =
    [
        "console", "www", "api", "mail", "smtp", "imap", "pop", "mx", "harbor", "admin", "gitea", "auth",
        "sso", "keycloak",
        "ns", "ns1", "ns2", "ns3", "dns", "ftp", "vpn", "status", "docs", "blog", "app", "dashboard",
        "catalyst", "openova",
        "autodiscover", "autoconfig", "webmail", "login", "pdm", "localhost", "wildcard",
    ];

    readonly HashSet<string> names;

    ReservedSubdomains(IEnumerable<string> names)
    {
        this.names = new HashSet<string>(names, StringComparer.Ordinal);
        All = this.names.Order(StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<string> All { get; }

    public static ReservedSubdomains Of(params string[] names) => new(names.Select(SubdomainLabel.Normalize));

    public static ReservedSubdomains From(Func<string, string?> read)
    {
        var list = ManagedDomains.SplitList(Settings.Text(read, Setting));
        if (list.Count == 0) return new ReservedSubdomains(Defaults);
        if (list.FirstOrDefault(n => !SubdomainLabel.IsValid(n)) is { } bad)
            throw new SettingException(Setting, $"'{bad}' is not a subdomain label ({SubdomainLabel.Rule})");
        return new ReservedSubdomains(list);
    }

    /// <summary>Trimmed and lower-cased first, as the wizard's label is.</summary>
    public bool Contains(string? label) => names.Contains(SubdomainLabel.Normalize(label));
}
