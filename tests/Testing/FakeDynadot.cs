using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Web;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace Catalyst.Testing;

/// <summary>
/// Dynadot's api3 as far as Catalyst uses it, on 127.0.0.1, with state: zones answer get_dns (XML) and change
/// with set_dns2 (append with add_dns_to_current_setting, replace without), domain_info knows the account's
/// domains, set_ns records name servers. Every call is kept so tests can assert what was sent — and what was not.
/// Appends are not deduplicated, so a duplicate write shows up as a duplicate record.
/// </summary>
public sealed class FakeDynadot : IDisposable
{
    public sealed record Record(string Host, string Type, string Value, string? Extra = null);

    public sealed class Zone
    {
        public List<Record> Main { get; } = [];
        public List<Record> Sub { get; } = [];
        public string Ttl { get; set; } = "300";
        public List<string> Nameservers { get; } = [];
    }

    readonly WireMockServer server;
    readonly object gate = new();
    readonly ConcurrentQueue<NameValueCollection> calls = new();

    public FakeDynadot(string key = "fake-dynadot-key-0001", string secret = "fake-dynadot-secret-0001")
    {
        Key = key;
        Secret = secret;
        server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort.Next()}"] });
        server.Given(Request.Create().WithPath("/api3.json", "/api3.xml").UsingGet()).RespondWith(Response.Create().WithCallback(Handle));
    }

    public string Key { get; }
    public string Secret { get; }
    public string Url => server.Urls[0];
    public Dictionary<string, Zone> Zones { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Answers a call before the fake does (status, body), e.g. to make one command fail.</summary>
    public Func<NameValueCollection, (int Status, string Body)?>? Intercept { get; set; }

    public IReadOnlyList<NameValueCollection> Calls => calls.ToList();
    public IReadOnlyList<NameValueCollection> CallsOf(string command) => Calls.Where(c => c["command"] == command).ToList();

    public Zone AddZone(string domain)
    {
        lock (gate) return Zones.TryGetValue(domain, out var zone) ? zone : Zones[domain] = new Zone();
    }

    public Zone ZoneOf(string domain)
    {
        lock (gate) return Zones[domain];
    }

    IResponseMessage Handle(IRequestMessage request)
    {
        var query = HttpUtility.ParseQueryString(new Uri(request.AbsoluteUrl).Query);
        calls.Enqueue(query);
        if (Intercept?.Invoke(query) is { } intercepted) return Reply(intercepted.Status, intercepted.Body);
        var command = query["command"] ?? "";
        var envelope = command switch { "set_dns2" => "SetDnsResponse", "domain_info" => "DomainInfoResponse", "set_ns" => "SetNsResponse", _ => "Response" };
        if (query["key"] != Key || (query["secret"] is { } s && s != Secret)) return Error(envelope, "invalid key");

        lock (gate)
        {
            var domain = query["domain"] ?? "";
            if (!Zones.TryGetValue(domain, out var zone)) return Error(envelope, "could not find domain in your account");
            switch (command)
            {
                case "get_dns":
                    return Reply(200, GetDnsXml(zone));
                case "domain_info":
                    return Success(envelope);
                case "set_ns":
                    zone.Nameservers.Clear();
                    for (var i = 0; query[$"ns{i}"] is { } ns; i++) zone.Nameservers.Add(ns);
                    return Success(envelope);
                case "set_dns2":
                    var (main, sub) = (Read(query, "main_record_type", "main_record", "main_recordx", null), Read(query, "sub_record_type", "sub_record", "sub_recordx", "subdomain"));
                    if (query["add_dns_to_current_setting"] is null)
                    {
                        // No append flag: this replaces the whole setting, as the real API does.
                        zone.Main.Clear();
                        zone.Sub.Clear();
                        if (query["ttl"] is { } ttl) zone.Ttl = ttl;
                    }
                    zone.Main.AddRange(main);
                    zone.Sub.AddRange(sub);
                    return Success(envelope);
                default:
                    return Error(envelope, $"unknown command {command}");
            }
        }
    }

    static List<Record> Read(NameValueCollection query, string typeKey, string valueKey, string extraKey, string? hostKey)
    {
        var records = new List<Record>();
        for (var i = 0; query[$"{typeKey}{i}"] is { } type; i++)
            records.Add(new Record(hostKey is null ? "" : query[$"{hostKey}{i}"] ?? "", type, query[$"{valueKey}{i}"] ?? "", query[$"{extraKey}{i}"]));
        return records;
    }

    static string GetDnsXml(Zone zone)
    {
        static string Value2(Record r) => r.Extra is null ? "" : $"<Value2>{SecurityElement.Escape(r.Extra)}</Value2>";
        var xml = new StringBuilder("<GetDnsResponse><GetDnsHeader><ResponseCode>0</ResponseCode><Status>success</Status></GetDnsHeader>");
        xml.Append("<GetDnsContent><NameServerSettings><Type>Dynadot DNS</Type><MainDomains>");
        foreach (var r in zone.Main)
            xml.Append($"<MainDomainRecord><RecordType>{r.Type}</RecordType><Value>{SecurityElement.Escape(r.Value)}</Value>{Value2(r)}</MainDomainRecord>");
        xml.Append("</MainDomains><SubDomains>");
        foreach (var r in zone.Sub)
            xml.Append($"<SubDomainRecord><Subhost>{SecurityElement.Escape(r.Host)}</Subhost><RecordType>{r.Type}</RecordType><Value>{SecurityElement.Escape(r.Value)}</Value>{Value2(r)}</SubDomainRecord>");
        xml.Append($"</SubDomains><TTL>{zone.Ttl}</TTL></NameServerSettings></GetDnsContent></GetDnsResponse>");
        return xml.ToString();
    }

    static IResponseMessage Success(string envelope) =>
        Reply(200, JsonSerializer.Serialize(new Dictionary<string, object> { [envelope] = new { ResponseCode = 0, Status = "success" } }));

    static IResponseMessage Error(string envelope, string error) =>
        Reply(200, JsonSerializer.Serialize(new Dictionary<string, object> { [envelope] = new { ResponseCode = "-1", Status = "error", Error = error } }));

    static IResponseMessage Reply(int status, string body) => new ResponseMessage
    {
        StatusCode = status,
        BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
    };

    public void Dispose() => server.Stop();
}
