namespace Catalyst.Domain.Dns;

/// <summary>Our own Dynadot account (operator secrets, read from configuration when needed; DESIGN §4).</summary>
public sealed record DynadotAccount(DynadotCredentials? Credentials)
{
    public const string KeySetting = "DYNADOT_API_KEY";
    public const string SecretSetting = "DYNADOT_API_SECRET";

    /// <summary>Both or nothing: Sovereigns run without Dynadot credentials (seed, issue #547), so absence is not an
    /// error until something tries to write.</summary>
    public static DynadotAccount From(Func<string, string?> read)
    {
        var key = read(KeySetting)?.Trim();
        var secret = read(SecretSetting)?.Trim();
        return new DynadotAccount(string.IsNullOrEmpty(key) || string.IsNullOrEmpty(secret) ? null
            : new DynadotCredentials(key, secret));
    }
}

public sealed record PublishOutcome(string Fqdn, IReadOnlyList<string> Added, IReadOnlyList<string> AlreadyPresent);

public sealed record UnpublishOutcome(string Fqdn, IReadOnlyList<string> Removed);

/// <summary>A DNS request we will not carry out. The message says why and what to do; retrying does not help.</summary>
public sealed class DnsRefusedException(string message) : Exception(message);

/// <summary>
/// The zone changed between the read a rewrite was computed from and the moment before writing it: someone outside
/// Catalyst edited it (Catalyst's own writers take turns through <see cref="IZoneLock"/>). Writing would undo their
/// edit, so nothing is written. Transient: a retry reads the zone again and computes the rewrite from what is there.
/// </summary>
public sealed class ZoneDriftException(string message) : Exception(message);

/// <summary>Reads the names under a pool label, for the availability check and the create (issue 15).</summary>
public interface IPoolZoneReader
{
    /// <summary>
    /// The records at <paramref name="label"/> or any name under it in the pool zone; null when this Catalyst has no
    /// Dynadot account (it then cannot publish either). Throws
    /// <see cref="DynadotException"/> when Dynadot does not answer.
    /// </summary>
    Task<IReadOnlyList<ZoneRecord>?> RecordsUnderAsync(string poolDomain, string label,
        CancellationToken cancellationToken);
}

/// <summary>
/// Publishes and removes a pool Sovereign's records in the pool domain's Dynadot zone. Both are safe to run
/// again (Durable delivers at least once): publish reads the zone and adds only what is missing; unpublish
/// rewrites the zone only when some of the records the deployment published are still there. Writers to one zone
/// take turns (<see cref="IZoneLock"/>). Which records a deployment published is kept in <see cref="IDnsLedger"/>:
/// a record is removed only when host, type and value all match one of them (issue 15: unpublish used to remove
/// everything at the Sovereign's names, whoever owned it).
/// </summary>
public sealed class SovereignDns(DynadotClient dynadot, ManagedDomains managed, DynadotAccount account,
    IZoneLock zoneLock, IDnsLedger ledger, ReservedSubdomains reserved) : IPoolZoneReader
{
    public async Task<PublishOutcome> PublishAsync(string deploymentId, string poolDomain, string subdomain,
        string loadBalancerIp, CancellationToken cancellationToken)
    {
        var (pool, sub, credentials) = Check(poolDomain, subdomain);
        // The create refuses these; a deployment made before the list existed must not get one either.
        if (reserved.Contains(sub))
            throw new DnsRefusedException(
                $"SUBDOMAIN \"{sub}\" is reserved ({ReservedSubdomains.Setting}); refusing to write records");
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
        var conflicts = zone.Sub.Where(r =>
            missing.Any(m => string.Equals(m.Host, r.Host, StringComparison.OrdinalIgnoreCase))).ToList();
        if (conflicts.Count > 0)
            throw new DnsRefusedException(
                $"{string.Join(", ", conflicts.Select(c => $"{c.Host}.{pool} {c.Type} {c.Value}"))} already exist; " +
                $"refusing to add {ip} beside them — unpublish {sub}.{pool} first");

        // Written down before they are written: a crash between the two leaves a listed record that is not in the
        // zone (harmless, unpublish finds nothing to match), never one of ours that nobody would remove. Records that
        // were present before this deployment wrote anything are not ours and are not listed.
        if (missing.Count > 0) await ledger.AddAsync(deploymentId, pool, missing, cancellationToken);
        foreach (var record in missing)
            await dynadot.AddRecordAsync(credentials, pool, record, cancellationToken);
        return new PublishOutcome($"{sub}.{pool}", missing.Select(r => Name(r.Host, pool)).ToList(),
            present.Select(r => Name(r.Host, pool)).ToList());
    }

    /// <summary>
    /// Removes exactly the records this deployment published. With none listed (its DNS step never ran) it neither
    /// reads nor writes the zone. Before the rewrite the zone is copied to <c>dns-backups</c> and read again; if it
    /// changed, <see cref="ZoneDriftException"/> and nothing is written.
    /// </summary>
    public async Task<UnpublishOutcome> UnpublishAsync(string deploymentId, string poolDomain, string subdomain,
        CancellationToken cancellationToken)
    {
        var pool = (poolDomain ?? "").Trim().ToLowerInvariant();
        var sub = SubdomainLabel.Normalize(subdomain);
        if (!managed.Contains(pool))
            throw new DnsRefusedException(
                $"DOMAIN \"{pool}\" is not in the managed-domain allowlist; refusing to write records");
        var ours = await ledger.PublishedAsync(deploymentId, pool, cancellationToken);
        if (ours.Count == 0) return new UnpublishOutcome($"{sub}.{pool}", []);
        var credentials = Credentials();

        await using var held = await zoneLock.AcquireAsync(pool, cancellationToken);
        var zone = await dynadot.GetZoneAsync(credentials, pool, cancellationToken);
        bool Ours(ZoneRecord r) => ours.Any(o => o.SameAs(r.AsRecord()));
        var removed = zone.All.Where(Ours).ToList();
        if (removed.Count == 0)
        {
            await ledger.RemoveAsync(deploymentId, pool, ours, cancellationToken);
            return new UnpublishOutcome($"{sub}.{pool}", []);
        }

        // Dynadot cannot delete one record: the only way is to write the whole setting back without ours
        // (DynadotClient.ReplaceZoneAsync), and it has no conditional write. So: keep a copy, read again just before
        // writing, and write only if nothing changed since the read the rewrite was computed from.
        await ledger.BackupAsync(pool, zone, deploymentId, cancellationToken);
        var again = await dynadot.GetZoneAsync(credentials, pool, cancellationToken);
        if (!SameZone(zone, again))
            throw new ZoneDriftException(
                $"the {pool} zone changed while removing the records of {sub}.{pool}; " +
                "nothing was written (the next attempt starts from the new zone)");
        await dynadot.ReplaceZoneAsync(credentials, pool,
            zone with { Main = zone.Main.Where(r => !Ours(r)).ToList(), Sub = zone.Sub.Where(r => !Ours(r)).ToList() },
            cancellationToken);
        await ledger.RemoveAsync(deploymentId, pool, ours, cancellationToken);
        return new UnpublishOutcome($"{sub}.{pool}",
            removed.Select(r => Name(r.Host, pool)).Distinct(StringComparer.OrdinalIgnoreCase).ToList());
    }

    public async Task<IReadOnlyList<ZoneRecord>?> RecordsUnderAsync(string poolDomain, string label,
        CancellationToken cancellationToken)
    {
        var (pool, sub) = ((poolDomain ?? "").Trim().ToLowerInvariant(), SubdomainLabel.Normalize(label));
        if (!managed.Contains(pool) || account.Credentials is not { } credentials) return null;
        var zone = await dynadot.GetZoneAsync(credentials, pool, cancellationToken);
        return zone.Sub.Where(r => string.Equals(r.Host, sub, StringComparison.OrdinalIgnoreCase)
                                   || r.Host.EndsWith("." + sub, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    /// <summary>Same records in the same order and the same TTL:
    /// what a rewrite computed from one would write back.</summary>
    public static bool SameZone(DynadotZone a, DynadotZone b) =>
        a.Ttl == b.Ttl && a.ServerType == b.ServerType && a.Main.SequenceEqual(b.Main) && a.Sub.SequenceEqual(b.Sub);

    (string Pool, string Sub, DynadotCredentials Credentials) Check(string poolDomain, string subdomain)
    {
        var pool = (poolDomain ?? "").Trim().ToLowerInvariant();
        var sub = SubdomainLabel.Normalize(subdomain);
        // Checked before anything else: a customer's domain must never reach Dynadot with our account.
        if (!managed.Contains(pool))
            throw new DnsRefusedException(
                $"DOMAIN \"{pool}\" is not in the managed-domain allowlist; refusing to write records");
        if (!SubdomainLabel.IsValid(sub))
            throw new DnsRefusedException($"SUBDOMAIN \"{sub}\" is not valid: {SubdomainLabel.Rule}");
        return (pool, sub, Credentials());
    }

    DynadotCredentials Credentials() => account.Credentials
        ?? throw new DnsRefusedException($"{DynadotAccount.KeySetting} and {DynadotAccount.SecretSetting} must be set");

    static string Name(string host, string pool) => host.Length == 0 ? pool : $"{host}.{pool}";
}
