using System.Net.Sockets;
using System.Text.Json.Serialization;
using Catalyst.Domain.Dns;

namespace Catalyst.Domain.Subdomains;

/// <summary>The answer to <c>POST /api/v1/subdomains/check</c> (reference A.6).</summary>
public sealed record SubdomainAvailability(
    [property: JsonPropertyName("available")] bool Available,
    [property: JsonPropertyName("reason"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
    [property: JsonPropertyName("detail"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null,
    [property: JsonPropertyName("fqdn"),
        JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Fqdn = null);

public enum HostLookup { Exists, NotFound, Failed }

/// <summary>Resolves a name; injectable so tests (and a cluster
/// with its own resolver) need not touch real DNS.</summary>
public interface IHostResolver
{
    Task<(HostLookup Result, string? Error)> LookupAsync(string fqdn, CancellationToken cancellationToken);
}

/// <summary><see cref="System.Net.Dns"/> with the original's 2 s
/// budget, so a debounced keystroke loop stays responsive.</summary>
public sealed class SystemHostResolver : IHostResolver
{
    public async Task<(HostLookup Result, string? Error)> LookupAsync(string fqdn, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            var addresses = await System.Net.Dns.GetHostAddressesAsync(fqdn, cts.Token);
            return addresses.Length > 0 ? (HostLookup.Exists, null) : (HostLookup.NotFound, null);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
        {
            return (HostLookup.NotFound, null);
        }
        catch (SocketException e)
        {
            return (HostLookup.Failed, e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (HostLookup.Failed, "no answer within 2s");
        }
    }
}

/// <summary>
/// Is <c>{subdomain}.{poolDomain}</c> free? Managed pools answer from the reserved names, our reservations and the pool
/// zone's own records — never from public DNS (Dynadot's wildcard parking made every name resolve; openova #163). A
/// customer's own domain answers from DNS.
/// </summary>
public sealed class SubdomainChecker(ManagedDomains managed, SubdomainReservations reservations, IHostResolver resolver,
    ReservedSubdomains reserved, IPoolZoneReader zone)
{
    /// <summary>The answer for a label whose names hold records
    /// no live reservation accounts for (PDM's reason).</summary>
    public const string ForeignRecordsDetail =
        "this subdomain already has DNS records in the pool that no Sovereign published — pick a different name";

    public async Task<SubdomainAvailability> CheckAsync(string? subdomain, string? poolDomain,
        CancellationToken cancellationToken)
    {
        var sub = SubdomainLabel.Normalize(subdomain);
        var pool = (poolDomain ?? "").Trim().ToLowerInvariant();
        if (!SubdomainLabel.IsValid(sub))
            return new SubdomainAvailability(false, "invalid-format", SubdomainLabel.Rule);
        // The original went on with any pool text; a blank or malformed one can only be the caller's mistake.
        if (!SubdomainLabel.IsDomainName(pool))
            return new SubdomainAvailability(false, "invalid-format",
                "poolDomain must be a domain name such as omani.works");
        var fqdn = $"{sub}.{pool}";
        return managed.Contains(pool) ? await CheckManagedAsync(pool, sub, fqdn, cancellationToken)
            : await CheckOwnDomainAsync(fqdn, cancellationToken);
    }

    async Task<SubdomainAvailability> CheckManagedAsync(string pool, string sub, string fqdn,
        CancellationToken cancellationToken)
    {
        if (reserved.Contains(sub))
            return new SubdomainAvailability(false, ReservedSubdomains.Reason, ReservedSubdomains.Detail, fqdn);
        Reservation? current;
        try
        {
            current = await reservations.GetAsync(pool, sub, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Storage errors arrive as RequestFailedException or, once the SDK's retries are spent, AggregateException.
            // The wizard already treats this reason as "try again" (it was PDM's transient answer).
            return new SubdomainAvailability(false, "pdm-unavailable",
                "subdomain reservations are temporarily unreachable — try again", fqdn);
        }
        if (current is null || !current.IsLive(reservations.Now))
            return await CheckZoneAsync(pool, sub, fqdn, cancellationToken);
        return current.State == Reservation.Active
            ? new SubdomainAvailability(false, "active-state",
                "a Sovereign already uses this subdomain — pick a different name", fqdn)
            : new SubdomainAvailability(false, "reserved",
                "this subdomain is reserved by a provisioning in progress — pick a different name", fqdn);
    }

    /// <summary>
    /// No live reservation holds the name, so any record at it or under it was not published by a Sovereign that still
    /// owns it: an operator's record, or one left behind (issue 15: <c>console</c> and the like could be taken and
    /// their records wiped). A Sovereign's own records are covered by its reservation, which it keeps until its wipe
    /// removed them.
    /// </summary>
    async Task<SubdomainAvailability> CheckZoneAsync(string pool, string sub, string fqdn,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<ZoneRecord>? records;
        try
        {
            records = await zone.RecordsUnderAsync(pool, sub, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new SubdomainAvailability(false, "pdm-unavailable",
                "the pool's DNS is temporarily unreadable — try again", fqdn);
        }
        return records is { Count: > 0 }
            ? new SubdomainAvailability(false, ReservedSubdomains.Reason, ForeignRecordsDetail, fqdn)
            : new SubdomainAvailability(true, Fqdn: fqdn);
    }

    async Task<SubdomainAvailability> CheckOwnDomainAsync(string fqdn, CancellationToken cancellationToken)
    {
        var (result, error) = await resolver.LookupAsync(fqdn, cancellationToken);
        return result switch
        {
            HostLookup.NotFound => new SubdomainAvailability(true, Fqdn: fqdn),
            HostLookup.Exists => new SubdomainAvailability(false, "exists",
                "this subdomain already resolves in DNS — pick a different name", fqdn),
            _ => new SubdomainAvailability(false, "lookup-error", $"DNS lookup failed: {error}", fqdn),
        };
    }
}
