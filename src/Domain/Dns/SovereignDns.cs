using Catalyst.Domain.Wizard;

namespace Catalyst.Domain.Dns;

/// <summary>Our own Dynadot account (operator secrets, read from configuration when needed; DESIGN §4).</summary>
public sealed record DynadotAccount(DynadotCredentials? Credentials)
{
    public const string KeySetting = "DYNADOT_API_KEY";
    public const string SecretSetting = "DYNADOT_API_SECRET";

    /// <summary>Both or nothing: Sovereigns run without Dynadot credentials (seed, issue #547), so absence is not an error
    /// until something tries to write.</summary>
    public static DynadotAccount From(Func<string, string?> read)
    {
        var key = read(KeySetting)?.Trim();
        var secret = read(SecretSetting)?.Trim();
        return new DynadotAccount(string.IsNullOrEmpty(key) || string.IsNullOrEmpty(secret) ? null : new DynadotCredentials(key, secret));
    }
}

public sealed record PublishOutcome(string Fqdn, IReadOnlyList<string> Added, IReadOnlyList<string> AlreadyPresent);

public sealed record UnpublishOutcome(string Fqdn, IReadOnlyList<string> Removed);

/// <summary>A DNS request we will not carry out. The message says why and what to do; retrying does not help.</summary>
public sealed class DnsRefusedException(string message) : Exception(message);

/// <summary>
/// Publishes and removes a pool Sovereign's records in the pool domain's Dynadot zone. Both are safe to run
/// again (Durable delivers at least once): publish reads the zone and adds only what is missing; unpublish
/// rewrites the zone only when some of ours are still there. Writers to one zone take turns (<see cref="IZoneLock"/>).
/// </summary>
public sealed class SovereignDns(DynadotClient dynadot, ManagedDomains managed, DynadotAccount account, IZoneLock zoneLock)
{
    public async Task<PublishOutcome> PublishAsync(string poolDomain, string subdomain, string loadBalancerIp, CancellationToken cancellationToken)
    {
        var (pool, sub, credentials) = Check(poolDomain, subdomain);
        var ip = loadBalancerIp?.Trim() ?? "";
        if (!SovereignRecords.IsIPv4(ip))
            throw new DnsRefusedException($"LB_IP must be set (the Hetzner load balancer IPv4); got \"{ip}\"");

        await using var held = await zoneLock.AcquireAsync(pool, cancellationToken);
        var zone = await dynadot.GetZoneAsync(credentials, pool, cancellationToken);
        var wanted = SovereignRecords.For(sub, ip);
        var present = wanted.Where(w => zone.Sub.Any(r => r.AsRecord().SameAs(w))).ToList();
        var missing = wanted.Except(present).ToList();

        // A name of ours that already points elsewhere is a leftover (a previous owner, or this Sovereign before its
        // load balancer was replaced). Adding beside it would make DNS answer both; replacing it silently could
        // take a live Sovereign's name. Stop and say so: UnpublishDns first clears the set.
        var conflicts = zone.Sub.Where(r => missing.Any(m => string.Equals(m.Host, r.Host, StringComparison.OrdinalIgnoreCase))).ToList();
        if (conflicts.Count > 0)
            throw new DnsRefusedException(
                $"{string.Join(", ", conflicts.Select(c => $"{c.Host}.{pool} {c.Type} {c.Value}"))} already exist; " +
                $"refusing to add {ip} beside them — unpublish {sub}.{pool} first");

        foreach (var record in missing)
            await dynadot.AddRecordAsync(credentials, pool, record, cancellationToken);
        return new PublishOutcome($"{sub}.{pool}", missing.Select(r => Name(r.Host, pool)).ToList(), present.Select(r => Name(r.Host, pool)).ToList());
    }

    public async Task<UnpublishOutcome> UnpublishAsync(string poolDomain, string subdomain, CancellationToken cancellationToken)
    {
        var (pool, sub, credentials) = Check(poolDomain, subdomain);
        var ours = new HashSet<string>(SovereignRecords.Hosts(sub), StringComparer.OrdinalIgnoreCase);

        await using var held = await zoneLock.AcquireAsync(pool, cancellationToken);
        var zone = await dynadot.GetZoneAsync(credentials, pool, cancellationToken);
        var removed = zone.Sub.Where(r => ours.Contains(r.Host)).ToList();
        if (removed.Count == 0) return new UnpublishOutcome($"{sub}.{pool}", []);

        // Dynadot cannot delete one record: the only way is to write the whole setting back without ours
        // (DynadotClient.ReplaceZoneAsync). Everything else is written exactly as it was just read.
        await dynadot.ReplaceZoneAsync(credentials, pool, zone with { Sub = zone.Sub.Where(r => !ours.Contains(r.Host)).ToList() }, cancellationToken);
        return new UnpublishOutcome($"{sub}.{pool}", removed.Select(r => Name(r.Host, pool)).Distinct(StringComparer.OrdinalIgnoreCase).ToList());
    }

    (string Pool, string Sub, DynadotCredentials Credentials) Check(string poolDomain, string subdomain)
    {
        var pool = (poolDomain ?? "").Trim().ToLowerInvariant();
        var sub = SubdomainLabel.Normalize(subdomain);
        // Checked before anything else: a customer's domain must never reach Dynadot with our account.
        if (!managed.Contains(pool))
            throw new DnsRefusedException($"DOMAIN \"{pool}\" is not in the managed-domain allowlist; refusing to write records");
        if (!SubdomainLabel.IsValid(sub))
            throw new DnsRefusedException($"SUBDOMAIN \"{sub}\" is not valid: {SubdomainLabel.Rule}");
        var credentials = account.Credentials
            ?? throw new DnsRefusedException($"{DynadotAccount.KeySetting} and {DynadotAccount.SecretSetting} must be set");
        return (pool, sub, credentials);
    }

    static string Name(string host, string pool) => $"{host}.{pool}";
}
