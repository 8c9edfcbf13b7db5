using System.Xml;
using System.Xml.Linq;

namespace Catalyst.Domain.Dns;

/// <summary>A record as Dynadot stores it. <see cref="Extra"/> is Dynadot's second value (<c>Value2</c> when read,
/// <c>*_recordx</c> when written: MX distance, forward type, ...), carried so a rewrite keeps it exactly.</summary>
public sealed record ZoneRecord(string Host, string Type, string Value, string? Extra = null)
{
    public DnsRecord AsRecord() => new(Host, Type, Value);
}

/// <summary>A domain's whole Dynadot DNS setting: main (apex) records, subdomain records and the zone TTL.</summary>
public sealed record DynadotZone(string? ServerType, string? Ttl, IReadOnlyList<ZoneRecord> Main,
    IReadOnlyList<ZoneRecord> Sub)
{
    public IEnumerable<ZoneRecord> All => Main.Concat(Sub);

    /// <summary>
    /// Parses a <c>get_dns</c> answer from the api3.xml endpoint:
    /// <c>GetDnsResponse/GetDnsHeader/{ResponseCode,Status,Error}</c> and
    /// <c>GetDnsContent/NameServerSettings/{Type, MainDomains/MainDomainRecord*, SubDomains/SubDomainRecord*, TTL}</c>,
    /// records being <c>{Subhost?, RecordType, Value, Value2?}</c>. We read get_dns as XML because that shape is the
    /// one independent clients agree on (acme.sh's dns_dynadot, and others that rewrite zones); the JSON rendering of
    /// this command is not documented well enough to trust with a rewrite.
    /// </summary>
    public static DynadotZone ParseGetDns(string body, DynadotCredentials credentials)
    {
        XElement root;
        try
        {
            root = XDocument.Parse(body).Root ?? throw new XmlException("empty document");
        }
        catch (XmlException e)
        {
            var start = body.Length > 256 ? body[..256] + "..." : body;
            throw new DynadotException(DynadotFailure.Unavailable,
                credentials.Scrub($"parse dynadot response: {e.Message} (body={start})"));
        }

        var header = Child(root, "GetDnsHeader") ?? root;
        var code = Text(header, "ResponseCode") ?? Text(header, "SuccessCode") ?? "";
        var status = Text(header, "Status") ?? "";
        if (!string.Equals(status, "success", StringComparison.OrdinalIgnoreCase) && code != "0")
        {
            var error = Text(header, "Error") ?? "";
            throw new DynadotException(DynadotException.Classify(error),
                credentials.Scrub($"dynadot api error: code={code} status={status} err={error}"));
        }

        var settings = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "NameServerSettings");
        if (settings is null) return new DynadotZone(null, null, [], []);
        return new DynadotZone(
            Text(settings, "Type"),
            Text(settings, "TTL"),
            Records(Child(settings, "MainDomains"), main: true),
            Records(Child(settings, "SubDomains"), main: false));
    }

    static List<ZoneRecord> Records(XElement? list, bool main) =>
        list?.Elements()
            .Where(e => Text(e, "RecordType") is { Length: > 0 })
            .Select(e =>
                new ZoneRecord(main ? "" : Text(e, "Subhost") ?? "", Text(e, "RecordType")!, Raw(e, "Value") ?? "",
                Raw(e, "Value2") is { Length: > 0 } extra ? extra : null))
            .ToList() ?? [];

    static XElement? Child(XElement parent, string name) =>
        parent.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    static string? Text(XElement parent, string name) => Child(parent, name)?.Value.Trim();

    // Values are kept byte for byte: a TXT record with a trailing space is written back with it.
    static string? Raw(XElement parent, string name) => Child(parent, name)?.Value;
}
