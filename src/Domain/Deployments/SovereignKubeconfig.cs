using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// A Sovereign's kubeconfig read as data (issue 15): exactly one cluster (https server, CA bytes, optional TLS server
/// name), one user (client certificate and key, or a token) and one context tying them. KubernetesClient's own loader
/// runs <c>users[].user.exec</c> and reads files named in the kubeconfig, and the tenant, root on its nodes, writes
/// this document: a PUT made a child of Catalyst run <c>id</c>. So every client to a Sovereign is built from this
/// shape only (<see cref="ToClientConfiguration"/>), every other key is refused, and YAML's own features (anchors,
/// aliases, tags, several documents) are refused too: a k3s kubeconfig has none, and aliases are how a small body
/// expands into a huge one ("billion laughs").
/// </summary>
public sealed record SovereignKubeconfig
{
    /// <summary>The original's cap on the postback body (A.13).</summary>
    public const int MaxBytes = KubeconfigPostback.MaxBytes;

    /// <summary>A kubeconfig is four levels deep; anything much
    /// deeper is an attack on the parser, not a kubeconfig.</summary>
    public const int MaxDepth = 8;

    /// <summary>A kubeconfig has a few dozen nodes; a 1 MiB flow
    /// list of empty items would have half a million.</summary>
    public const int MaxNodes = 1000;

    public const int MaxTokenLength = 8192;
    const int MaxNameLength = 253;

    public required string ClusterName { get; init; }
    public required Uri Server { get; init; }
    /// <summary>base64 PEM, as in the kubeconfig; required for https.</summary>
    public string? CertificateAuthorityData { get; init; }
    public string? TlsServerName { get; init; }
    public required string UserName { get; init; }
    public string? ClientCertificateData { get; init; }
    public string? ClientKeyData { get; init; }
    public string? Token { get; init; }
    public required string ContextName { get; init; }
    public string? Namespace { get; init; }

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static readonly HashSet<string> TopKeys = ["apiVersion", "kind", "clusters", "contexts", "users", "current-context",
        "preferences"];
    static readonly HashSet<string> ClusterKeys = ["server", "certificate-authority-data", "tls-server-name",
        "insecure-skip-tls-verify"];
    static readonly HashSet<string> UserKeys = ["client-certificate-data", "client-key-data", "token"];
    static readonly HashSet<string> ContextKeys = ["cluster", "user", "namespace"];

    /// <summary>Keys a kubeconfig may carry that make a client run a
    /// program, read a file or go elsewhere: named in the refusal.</summary>
    static readonly Dictionary<string, string> Dangerous = new(StringComparer.Ordinal)
    {
        ["exec"] = "credential plugins run a program",
        ["auth-provider"] = "auth providers run code and refresh tokens elsewhere",
        ["certificate-authority"] = "file paths are read on the Catalyst host",
        ["client-certificate"] = "file paths are read on the Catalyst host",
        ["client-key"] = "file paths are read on the Catalyst host",
        ["tokenFile"] = "file paths are read on the Catalyst host",
        ["proxy-url"] = "a proxy sends Catalyst's requests elsewhere",
        ["username"] = "basic auth is not used by a Sovereign",
        ["password"] = "basic auth is not used by a Sovereign",
    };

    /// <summary>The shape, or <see cref="KubeconfigRefusedException"/> naming what was refused. Makes no network call,
    /// reads no file, starts nothing.</summary>
    public static SovereignKubeconfig Parse(byte[] body)
    {
        if (body.Length == 0) throw Refused("(body)", "the kubeconfig is empty");
        if (body.Length > MaxBytes) throw Refused("(body)", $"the kubeconfig exceeds {MaxBytes} bytes");
        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            throw Refused("(body)", "the kubeconfig is not UTF-8");
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        // YAML allows only printable characters; YamlDotNet read past a NUL that other parsers stop at (found by the
        // bad-input suite): refuse control characters rather than let two readers see two documents.
        if (text.Any(c => c < ' ' && c is not ('\t' or '\n' or '\r')
            || c is >= '\u007F' and <= '\u009F' && c != '\u0085' || c is '\uFFFE' or '\uFFFF'))
            throw Refused("(body)", "control characters are refused");
        var root = ReadTree(text);
        if (root is not Map top) throw Refused("(body)", "the kubeconfig is not a YAML or JSON object");
        return FromTree(top);
    }

    /// <summary><see cref="Parse"/> and <see cref="CheckServer"/> together:
    /// what every reader of a stored or posted kubeconfig runs.</summary>
    public static Verdict Read(byte[] body, DeploymentRecord record, bool sandbox)
    {
        SovereignKubeconfig kubeconfig;
        try
        {
            kubeconfig = Parse(body);
        }
        catch (KubeconfigRefusedException e)
        {
            return new Verdict(null, e.Detail, AddressesUnknown: false);
        }
        return kubeconfig.CheckServer(record, sandbox) switch
        {
            null => new Verdict(kubeconfig, null, false),
            var (detail, unknown) => new Verdict(null, detail, unknown),
        };
    }

    /// <param name="Kubeconfig">Set when it may be used.</param>
    /// <param name="Refusal">Why not: the path first, e.g. <c>users[0].user.exec: …</c>.</param>
    /// <param name="AddressesUnknown">The server is an address the
    /// record may hold once tofu's outputs are written.</param>
    public sealed record Verdict(SovereignKubeconfig? Kubeconfig, string? Refusal, bool AddressesUnknown);

    /// <summary>
    /// Null when the server may be reached from Catalyst: https to the deployment's own control-plane or load-balancer
    /// IP (cloud-init rewrites k3s's https://127.0.0.1:6443 to the load balancer's IPv4, reference B.6). Names are
    /// refused: a BYO domain's DNS is the tenant's, so a name could resolve to anything at connect time. Loopback,
    /// link-local, private, shared, unspecified and multicast addresses are refused whatever the record says; only a
    /// sandbox (every cloud a loopback fake) may point at loopback, over http or https.
    /// </summary>
    public (string Detail, bool AddressesUnknown)? CheckServer(DeploymentRecord record, bool sandbox)
    {
        var host = Server.Host.Trim('[', ']');
        var ip = IPAddress.TryParse(host, out var parsed) ? Canonical(parsed) : null;
        if (sandbox
            && (ip is not null && IPAddress.IsLoopback(ip)
                || host.Equals("localhost", StringComparison.OrdinalIgnoreCase))) return null;
        if (Server.Scheme != Uri.UriSchemeHttps) return ("clusters[0].cluster.server: must be https", false);
        if (ip is null)
            return (IsClusterInternalName(host)
                ? $"clusters[0].cluster.server: '{host}' is a local or cluster-internal name"
                : "clusters[0].cluster.server: must be the deployment's control-plane or load-balancer IP address, " +
                    "not a name", false);
        if (BlockedRange(ip) is { } range) return ($"clusters[0].cluster.server: {ip} is {range}", false);
        var own = new[] { record.Result?.ControlPlaneIp, record.Result?.LoadBalancerIp }
            .Where(a => !string.IsNullOrEmpty(a) && IPAddress.TryParse(a, out _))
            .Select(a => Canonical(IPAddress.Parse(a!))).ToList();
        if (own.Contains(ip)) return null;
        return own.Count == 0
            ? ("clusters[0].cluster.server: the deployment's control-plane and load-balancer addresses are not " +
                "recorded yet", true)
            : ($"clusters[0].cluster.server: {ip} is not this deployment's control-plane or load-balancer address",
                false);
    }

    /// <summary>A client configuration from this shape alone: no exec,
    /// no files, no proxy, TLS verified against the posted CA.</summary>
    public KubernetesClientConfiguration ToClientConfiguration()
    {
        var config = new KubernetesClientConfiguration
        {
            Host = Server.GetLeftPart(UriPartial.Authority),
            SkipTlsVerify = false,
            TlsServerName = TlsServerName,
            AccessToken = Token,
            ClientCertificateData = ClientCertificateData,
            ClientCertificateKeyData = ClientKeyData,
            Namespace = Namespace,
        };
        if (CertificateAuthorityData is not null)
        {
            var cas = new X509Certificate2Collection();
            cas.ImportFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(CertificateAuthorityData)));
            config.SslCaCerts = cas;
        }
        return config;
    }

    // ── the tree ─────────────────────────────────────────────────────────────────────────────────────────────

    abstract record Node;
    sealed record Map(List<KeyValuePair<string, Node>> Entries) : Node
    {
        public Node? this[string key] => Entries.FirstOrDefault(e => e.Key == key).Value;
    }
    sealed record Seq(List<Node> Items) : Node;
    sealed record Scalar(string Value, bool Plain) : Node
    {
        public bool IsNull => Plain && Value is "" or "~" or "null" or "Null" or "NULL";
    }

    /// <summary>One document of maps, sequences and scalars, read
    /// event by event so depth is checked before it grows.</summary>
    static Node ReadTree(string text)
    {
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _)) throw Refused("(body)", "the kubeconfig is empty");
            var start = parser.Consume<DocumentStart>();
            if (start.Version is not null) throw Refused("(body)", "YAML directives are refused");
            var nodes = 0;
            var root = ReadNode(parser, "", 0, ref nodes);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _)) throw Refused("(body)", "more than one YAML document");
            return root;
        }
        catch (YamlException e)
        {
            throw Refused("(body)", $"not valid YAML (line {e.Start.Line}, column {e.Start.Column})");
        }
    }

    static Node ReadNode(IParser parser, string path, int depth, ref int nodes)
    {
        if (depth > MaxDepth) throw Refused(At(path), $"nested deeper than {MaxDepth} levels");
        if (++nodes > MaxNodes) throw Refused(At(path), $"more than {MaxNodes} YAML nodes");
        var next = parser.Current ?? throw Refused(At(path), "unexpected end of the document");
        if (next is AnchorAlias) throw Refused(At(path), "YAML aliases are refused");
        if (next is NodeEvent node)
        {
            if (!node.Anchor.IsEmpty) throw Refused(At(path), "YAML anchors are refused");
            if (!node.Tag.IsEmpty) throw Refused(At(path), "YAML tags are refused");
        }
        switch (next)
        {
            case YamlDotNet.Core.Events.Scalar scalar:
                parser.MoveNext();
                return new Scalar(scalar.Value, scalar.Style == ScalarStyle.Plain);
            case SequenceStart:
            {
                parser.MoveNext();
                var items = new List<Node>();
                while (!parser.Accept<SequenceEnd>(out _))
                    items.Add(ReadNode(parser, $"{path}[{items.Count}]", depth + 1, ref nodes));
                parser.MoveNext();
                return new Seq(items);
            }
            case MappingStart:
            {
                parser.MoveNext();
                var entries = new List<KeyValuePair<string, Node>>();
                var keys = new HashSet<string>(StringComparer.Ordinal);
                while (!parser.Accept<MappingEnd>(out _))
                {
                    if (parser.Current is not YamlDotNet.Core.Events.Scalar key || !key.Anchor.IsEmpty
                        || !key.Tag.IsEmpty)
                        throw Refused(At(path), "keys must be plain strings");
                    parser.MoveNext();
                    var child = path.Length == 0 ? key.Value : $"{path}.{key.Value}";
                    // YAML says duplicate keys are an error, parsers
                    // disagree on which one wins: refuse rather than guess.
                    if (!keys.Add(key.Value)) throw Refused(child, "duplicate key");
                    entries.Add(new(key.Value, ReadNode(parser, child, depth + 1, ref nodes)));
                }
                parser.MoveNext();
                return new Map(entries);
            }
            default:
                throw Refused(At(path), $"unexpected {next.GetType().Name}");
        }
    }

    // ── the shape ────────────────────────────────────────────────────────────────────────────────────────────

    static SovereignKubeconfig FromTree(Map top)
    {
        OnlyKeys(top, "", TopKeys);
        if (top["apiVersion"] is { } version && Text(version, "apiVersion") != "v1")
            throw Refused("apiVersion", "must be v1");
        if (top["kind"] is { } kind && Text(kind, "kind") != "Config") throw Refused("kind", "must be Config");
        if (top["preferences"] is { } preferences
            && !(preferences is Map { Entries.Count: 0 } || preferences is Scalar { IsNull: true }))
            throw Refused("preferences", "must be empty");

        var (clusterName, cluster) = One(top, "clusters", "cluster");
        var (userName, user) = One(top, "users", "user");
        var (contextName, context) = One(top, "contexts", "context");

        OnlyKeys(cluster, "clusters[0].cluster", ClusterKeys);
        var serverText = Required(cluster, "clusters[0].cluster", "server");
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http"))
            throw Refused("clusters[0].cluster.server", "must be an http(s) URL");
        if (server.UserInfo.Length > 0 || server.Query.Length > 0 || server.Fragment.Length > 0
            || server.AbsolutePath != "/")
            throw Refused("clusters[0].cluster.server", "must be scheme, host and port only");
        // .NET reads 0x7f.0.0.1, 2130706433 or 127.1 as 127.0.0.1 where other clients look the text up as a name (found
        // by the bad-input suite): the host must be written as the client will use it.
        var (rawHost, rawRest) = RawParts(serverText);
        if (!string.Equals(rawHost, server.Host, StringComparison.OrdinalIgnoreCase) || rawRest is not ("" or "/"))
            throw Refused("clusters[0].cluster.server",
                "must be written in canonical form: scheme, host and port only");
        if (cluster["insecure-skip-tls-verify"] is { } skip && !(skip is Scalar { Plain: true, Value: "false" }))
            throw Refused("clusters[0].cluster.insecure-skip-tls-verify", "TLS verification cannot be turned off");
        var ca = Optional(cluster, "clusters[0].cluster", "certificate-authority-data");
        if (ca is not null) RequirePem(ca, "clusters[0].cluster.certificate-authority-data", certificate: true);
        else if (server.Scheme == "https")
            throw Refused("clusters[0].cluster.certificate-authority-data", "required for an https server");
        var tlsName = Optional(cluster, "clusters[0].cluster", "tls-server-name");
        if (tlsName is not null
            && Uri.CheckHostName(tlsName) is not (UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6))
            throw Refused("clusters[0].cluster.tls-server-name", "must be a host name");

        OnlyKeys(user, "users[0].user", UserKeys);
        var certificate = Optional(user, "users[0].user", "client-certificate-data");
        var key = Optional(user, "users[0].user", "client-key-data");
        var token = Optional(user, "users[0].user", "token");
        if ((certificate is null) != (key is null))
            throw Refused("users[0].user", "client-certificate-data and client-key-data come together");
        if (certificate is null && token is null)
            throw Refused("users[0].user", "needs client-certificate-data and client-key-data, or a token");
        if (certificate is not null)
        {
            RequirePem(certificate, "users[0].user.client-certificate-data", certificate: true);
            RequirePem(key!, "users[0].user.client-key-data", certificate: false);
            // The pair is loaded now, not first when a client is built:
            // a truncated or foreign key is refused at the door.
            try
            {
                using var pair =
                    X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(certificate)),
                        Encoding.UTF8.GetString(Convert.FromBase64String(key!)));
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                throw Refused("users[0].user.client-key-data", "is not the private key of client-certificate-data");
            }
            catch (ArgumentException)
            {
                throw Refused("users[0].user.client-key-data", "is not the private key of client-certificate-data");
            }
        }
        // The token goes into an Authorization header: printable ASCII only, so it cannot split or add headers.
        if (token is not null && token.Any(c => c is < '!' or > '~'))
            throw Refused("users[0].user.token", "must be printable ASCII without spaces");
        // It rides on every request as a header; servers refuse headers past 8–16 KiB (found by the bad-input suite).
        if (token is { Length: > MaxTokenLength })
            throw Refused("users[0].user.token", $"longer than {MaxTokenLength} characters");

        OnlyKeys(context, "contexts[0].context", ContextKeys);
        if (Required(context, "contexts[0].context", "cluster") != clusterName)
            throw Refused("contexts[0].context.cluster", $"must name the cluster '{clusterName}'");
        if (Required(context, "contexts[0].context", "user") != userName)
            throw Refused("contexts[0].context.user", $"must name the user '{userName}'");
        var ns = Optional(context, "contexts[0].context", "namespace");
        if (top["current-context"] is { } current && !(current is Scalar { IsNull: true })
            && Text(current, "current-context") != contextName)
            throw Refused("current-context", $"must be '{contextName}'");

        return new SovereignKubeconfig
        {
            ClusterName = clusterName, Server = server, CertificateAuthorityData = ca, TlsServerName = tlsName,
            UserName = userName, ClientCertificateData = certificate, ClientKeyData = key, Token = token,
            ContextName = contextName, Namespace = ns,
        };
    }

    /// <summary>The single named entry of a list: <c>- name: x</c> with its <paramref name="field"/> map.</summary>
    static (string Name, Map Body) One(Map top, string list, string field)
    {
        if (top[list] is not Seq { } items) throw Refused(list, "must be a list with exactly one entry");
        if (items.Items.Count != 1) throw Refused(list, $"must hold exactly one entry, not {items.Items.Count}");
        var path = $"{list}[0]";
        if (items.Items[0] is not Map entry) throw Refused(path, "must be a map");
        OnlyKeys(entry, path, new HashSet<string> { "name", field });
        var name = Required(entry, path, "name");
        if (name.Length > MaxNameLength) throw Refused($"{path}.name", $"longer than {MaxNameLength} characters");
        if (entry[field] is not Map body) throw Refused($"{path}.{field}", "must be a map");
        return (name, body);
    }

    static void OnlyKeys(Map map, string path, IReadOnlySet<string> allowed)
    {
        foreach (var (key, _) in map.Entries)
        {
            var at = path.Length == 0 ? key : $"{path}.{key}";
            if (Dangerous.TryGetValue(key, out var why)) throw Refused(at, $"refused: {why}");
            if (!allowed.Contains(key)) throw Refused(at, "unknown key");
        }
    }

    static string Required(Map map, string path, string key) =>
        Optional(map, path, key) is { Length: > 0 } value ? value : throw Refused($"{path}.{key}", "required");

    static string? Optional(Map map, string path, string key) => map[key] switch
    {
        null => null,
        Scalar { IsNull: true } => null,
        var node => Text(node, $"{path}.{key}"),
    };

    static string Text(Node node, string path) =>
        node is Scalar scalar ? scalar.Value : throw Refused(path, "must be a string");

    static void RequirePem(string base64, string path, bool certificate)
    {
        string pem;
        try
        {
            pem = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            throw Refused(path, "must be base64");
        }
        var label = certificate ? "-----BEGIN CERTIFICATE-----" : "-----BEGIN ";
        if (!pem.Contains(label, StringComparison.Ordinal))
            throw Refused(path, certificate ? "must be a PEM certificate" : "must be a PEM private key");
        if (!certificate) return;
        try
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPem(pem);
            if (collection.Count == 0) throw Refused(path, "must be a PEM certificate");
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw Refused(path, "must be a PEM certificate");
        }
    }

    /// <summary>The host exactly as written (IPv6 keeps its
    /// brackets, no port), and what follows the authority.</summary>
    static (string Host, string After) RawParts(string url)
    {
        var afterScheme = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var end = afterScheme.IndexOfAny(['/', '?', '#', '\\']) is var e and >= 0 ? e : afterScheme.Length;
        var (authority, rest) = (afterScheme[..end], afterScheme[end..]);
        if (authority.StartsWith('[')) return (authority[..(authority.IndexOf(']') + 1)], rest);
        return (authority.LastIndexOf(':') is var colon and >= 0 ? authority[..colon] : authority, rest);
    }

    // ── addresses ────────────────────────────────────────────────────────────────────────────────────────────

    static IPAddress Canonical(IPAddress ip) => ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;

    /// <summary>Names that resolve inside a cluster or on the host, whatever public DNS says.</summary>
    public static bool IsClusterInternalName(string host)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        return !name.Contains('.') || name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal)
            || name.EndsWith(".svc", StringComparison.Ordinal)
            || name.EndsWith(".cluster.local", StringComparison.Ordinal)
            || name.EndsWith(".internal", StringComparison.Ordinal)
            || name.EndsWith(".local", StringComparison.Ordinal);
    }

    static readonly (IPAddress Network, int Bits, string What)[] Blocked =
    [
        (IPAddress.Parse("0.0.0.0"), 8, "an unspecified address"),
        (IPAddress.Parse("10.0.0.0"), 8, "a private address"),
        (IPAddress.Parse("100.64.0.0"), 10, "a shared (carrier-grade NAT) address"),
        (IPAddress.Parse("127.0.0.0"), 8, "a loopback address"),
        (IPAddress.Parse("169.254.0.0"), 16, "a link-local address (cloud metadata lives there)"),
        (IPAddress.Parse("172.16.0.0"), 12, "a private address"),
        (IPAddress.Parse("192.168.0.0"), 16, "a private address"),
        (IPAddress.Parse("224.0.0.0"), 4, "a multicast address"),
        (IPAddress.Parse("240.0.0.0"), 4, "a reserved address"),
        (IPAddress.Parse("::"), 128, "an unspecified address"),
        (IPAddress.Parse("::1"), 128, "a loopback address"),
        (IPAddress.Parse("64:ff9b::"), 96, "a NAT64 address"),
        (IPAddress.Parse("fc00::"), 7, "a private (unique local) address"),
        (IPAddress.Parse("fe80::"), 10, "a link-local address"),
        (IPAddress.Parse("fec0::"), 10, "a site-local address"),
        (IPAddress.Parse("ff00::"), 8, "a multicast address"),
    ];

    /// <summary>What kind of non-public address <paramref name="ip"/> is, or null for a public one.</summary>
    public static string? BlockedRange(IPAddress ip)
    {
        ip = Canonical(ip);
        foreach (var (network, bits, what) in Blocked)
            if (network.AddressFamily == ip.AddressFamily && InPrefix(ip, network, bits)) return what;
        // ::a.b.c.d (IPv4-compatible, deprecated) and 2002:a.b.c.d (6to4) carry an IPv4 inside: judge that one too.
        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = ip.GetAddressBytes();
            if (b.Take(12).All(x => x == 0))
                return BlockedRange(new IPAddress(b[12..16])) ?? "an IPv4-compatible address";
            if (b[0] == 0x20 && b[1] == 0x02) return BlockedRange(new IPAddress(b[2..6]));
        }
        return null;
    }

    static bool InPrefix(IPAddress ip, IPAddress network, int bits)
    {
        var a = ip.GetAddressBytes();
        var n = network.GetAddressBytes();
        for (var i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (n[i] & mask)) return false;
        }
        return true;
    }

    static string At(string path) => path.Length == 0 ? "(body)" : path;

    /// <summary>Paths carry the tenant's key names: cut so a refusal never echoes a huge key.</summary>
    static KubeconfigRefusedException Refused(string path, string why) =>
        new(path.Length <= 120 ? path : path[..120] + "…", why);
}

/// <summary>A kubeconfig that is not the shape Catalyst accepts;
/// <see cref="Detail"/> names the path, never a value.</summary>
public sealed class KubeconfigRefusedException(string path, string why) : Exception($"{path}: {why}")
{
    public string Path { get; } = path;
    public string Detail => Message;
}
