using System.Globalization;
using System.Net;

namespace Catalyst.Domain.Dns;

/// <summary>Where Dynadot is. <c>CATALYST_DYNADOT_BASE_URL</c> lets tests point at a fake.</summary>
public sealed record DynadotEndpoint(Uri BaseUrl)
{
    public const string Setting = "CATALYST_DYNADOT_BASE_URL";
    public static readonly Uri Default = new("https://api.dynadot.com");
}

/// <summary>
/// Dynadot's api3 (reference C.3): every command is a GET with the key and secret in the query string, answered
/// as JSON. Credentials are per call so the same client serves our pool account and a user's registrar token.
/// Used through IHttpClientFactory; the handler chain decides retries from <see cref="SafeToRetry"/>.
/// </summary>
public sealed class DynadotClient(HttpClient http, DynadotEndpoint endpoint)
{
    /// <summary>Set on reads. A write that timed out may have been applied, so the HTTP layer must not repeat it;
    /// a caller that re-reads first (a retried activity) is the only safe retry for writes.</summary>
    public static readonly HttpRequestOptionsKey<bool> SafeToRetry = new("catalyst.dynadot.safe-to-retry");

    public const int DefaultTtl = 300;

    /// <summary>
    /// Appends one record with <c>set_dns2</c> and <c>add_dns_to_current_setting=yes</c>. Always that flag: a bare
    /// set_dns2 replaces the whole zone (the original's TestRun_NeverWipesZone). The apex goes in the main_record
    /// fields, anything else in the subdomain fields; the TTL goes in <c>*_recordx0</c> as the original sent it.
    /// </summary>
    public async Task AddRecordAsync(DynadotCredentials credentials, string domain, DnsRecord record,
        CancellationToken cancellationToken, int ttl = DefaultTtl)
    {
        var query = Command(credentials, "set_dns2", domain);
        query.Add(("add_dns_to_current_setting", "yes"));
        var ttlText = ttl.ToString(CultureInfo.InvariantCulture);
        if (record.Host is "" or "@")
            query.AddRange([("main_record_type0", record.Type.ToUpperInvariant()), ("main_record0", record.Value),
                ("main_recordx0", ttlText)]);
        else
            query.AddRange([("subdomain0", record.Host), ("sub_record_type0", record.Type.ToUpperInvariant()),
                ("sub_record0", record.Value), ("sub_recordx0", ttlText)]);
        await SendJsonAsync(credentials, "api3.json", query, safeToRetry: false, cancellationToken);
    }

    /// <summary>Reads the domain's whole DNS setting (<c>get_dns</c>).</summary>
    public async Task<DynadotZone> GetZoneAsync(DynadotCredentials credentials, string domain,
        CancellationToken cancellationToken)
    {
        var (status, body) = await SendAsync(credentials, "api3.xml", Command(credentials, "get_dns", domain),
            safeToRetry: true, cancellationToken);
        if (status != HttpStatusCode.OK) DynadotResponse.EnsureSuccess(status, body, credentials);
        return DynadotZone.ParseGetDns(body, credentials);
    }

    /// <summary>
    /// Replaces the domain's whole DNS setting with <paramref name="zone"/>: <c>set_dns2</c> WITHOUT
    /// <c>add_dns_to_current_setting</c>. Dynadot has no per-record delete, so removing records means writing back
    /// everything else. Only <see cref="SovereignDns"/> calls this, always with a zone it has just read, so every
    /// record that is not ours is written back with its type, value, second value and the zone TTL unchanged.
    /// </summary>
    public async Task ReplaceZoneAsync(DynadotCredentials credentials, string domain, DynadotZone zone,
        CancellationToken cancellationToken)
    {
        var query = Command(credentials, "set_dns2", domain);
        for (var i = 0; i < zone.Main.Count; i++)
        {
            var r = zone.Main[i];
            query.AddRange([($"main_record_type{i}", r.Type), ($"main_record{i}", r.Value)]);
            if (r.Extra is not null) query.Add(($"main_recordx{i}", r.Extra));
        }
        for (var i = 0; i < zone.Sub.Count; i++)
        {
            var r = zone.Sub[i];
            query.AddRange([($"subdomain{i}", r.Host), ($"sub_record_type{i}", r.Type), ($"sub_record{i}", r.Value)]);
            if (r.Extra is not null) query.Add(($"sub_recordx{i}", r.Extra));
        }
        if (zone.Ttl is { Length: > 0 } ttl) query.Add(("ttl", ttl));
        await SendJsonAsync(credentials, "api3.json", query, safeToRetry: false, cancellationToken);
    }

    /// <summary><c>domain_info</c>: succeeds when the credentials
    /// authenticate and the domain is in their account.</summary>
    public Task DomainInfoAsync(DynadotCredentials credentials, string domain, CancellationToken cancellationToken) =>
        SendJsonAsync(credentials, "api3.json", Command(credentials, "domain_info", domain), safeToRetry: true,
            cancellationToken);

    /// <summary><c>set_ns</c>: replaces the domain's name servers (<c>ns0</c>…<c>ns12</c>).</summary>
    public Task SetNameserversAsync(DynadotCredentials credentials, string domain, IReadOnlyList<string> nameservers,
        CancellationToken cancellationToken)
    {
        var query = Command(credentials, "set_ns", domain);
        for (var i = 0; i < nameservers.Count; i++) query.Add(($"ns{i}", nameservers[i]));
        // Setting the same list twice is harmless, so a retried request is too.
        return SendJsonAsync(credentials, "api3.json", query, safeToRetry: true, cancellationToken);
    }

    static List<(string, string)> Command(DynadotCredentials credentials, string command, string domain)
    {
        var query = new List<(string, string)> { ("key", credentials.Key) };
        if (credentials.Secret is not null) query.Add(("secret", credentials.Secret));
        query.AddRange([("command", command), ("domain", domain)]);
        return query;
    }

    async Task SendJsonAsync(DynadotCredentials credentials, string path, List<(string, string)> query,
        bool safeToRetry, CancellationToken cancellationToken)
    {
        var (status, body) = await SendAsync(credentials, path, query, safeToRetry, cancellationToken);
        DynadotResponse.EnsureSuccess(status, body, credentials);
    }

    async Task<(HttpStatusCode Status, string Body)> SendAsync(DynadotCredentials credentials, string path,
        List<(string Name, string Value)> query, bool safeToRetry, CancellationToken cancellationToken)
    {
        var url = new Uri(endpoint.BaseUrl, path).GetLeftPart(UriPartial.Path) + "?" +
                  string.Join("&",
                      query.Select(p => $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(p.Value)}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(SafeToRetry, safeToRetry);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Network errors, timeouts and an open circuit (whatever the handler chain throws) all mean "no answer".
            // Exception texts can name the request; the URL holds the credentials, so it is scrubbed too.
            throw new DynadotException(DynadotFailure.Unavailable,
                credentials.Scrub($"dynadot api unreachable: {e.Message}"));
        }
    }
}
