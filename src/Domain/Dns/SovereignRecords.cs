using System.Net;
using System.Net.Sockets;

namespace Catalyst.Domain.Dns;

/// <summary>One record in a Dynadot zone. <see cref="Host"/> is relative to the zone; "" is the zone apex.</summary>
public sealed record DnsRecord(string Host, string Type, string Value)
{
    public bool SameAs(DnsRecord other) =>
        string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Type, other.Type, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Value.Trim(), other.Value.Trim(), StringComparison.OrdinalIgnoreCase);
}

/// <summary>The A records that make a pool Sovereign reachable (reference C.3).</summary>
public static class SovereignRecords
{
    /// <summary>The original's set, relative to the Sovereign's own name: <c>*.sub, console.sub, gitea.sub,
    /// harbor.sub, admin.sub, api.sub</c>. We add <c>sub</c> itself: a user who is handed https://sub.pool
    /// expects it to resolve, and the wildcard does not cover the name it sits under. (PowerDNS's set in
    /// reference C.1 also has the apex <c>@</c>.)</summary>
    public static readonly IReadOnlyList<string> Prefixes = ["*", "console", "gitea", "harbor", "admin", "api", ""];

    public const string Type = "A";

    public static IReadOnlyList<DnsRecord> For(string subdomain, string loadBalancerIp) =>
        Prefixes.Select(p => new DnsRecord(Host(p, subdomain), Type, loadBalancerIp)).ToList();

    /// <summary>The zone-relative names that belong to a Sovereign, whatever they point at.</summary>
    public static IReadOnlyList<string> Hosts(string subdomain) => Prefixes.Select(p => Host(p, subdomain)).ToList();

    public static bool IsIPv4(string? value) =>
        value is not null && IPAddress.TryParse(value, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork
        && value.Count(c => c == '.') == 3;

    static string Host(string prefix, string subdomain) => prefix.Length == 0 ? subdomain : $"{prefix}.{subdomain}";
}
