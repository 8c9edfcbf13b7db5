using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Catalyst.Bench;

/// <summary>
/// Kubeconfig bodies a hostile tenant (root on its nodes, holding the postback bearer) could send (issue 15): each one
/// a valid k3s kubeconfig plus at least one thing Catalyst must refuse, so an accepted body is a finding. Exec plugins
/// would create <c>marker</c>; the suite checks that none did.
/// </summary>
public static class HostileKubeconfig
{
    static readonly (string Cert, string Key) Pem = CreatePem();

    static (string, string) CreatePem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=k3s", key,
            HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1),
                DateTimeOffset.UtcNow.AddYears(1));
        return (B64(cert.ExportCertificatePem()), B64(key.ExportECPrivateKeyPem()));
    }

    static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    static string Valid(string server, string cluster = "", string user = "", string top = "") =>
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: " + Pem.Cert + "\n    server: " +
            server + cluster +
        "\n  name: default\ncontexts:\n- context:\n    cluster: default\n    user: default\n  name: " +
        "default\ncurrent-context: default\nkind: Config\npreferences: {}\n" +
        "users:\n- name: default\n  user:\n    client-certificate-data: " + Pem.Cert + "\n    client-key-data: " +
        Pem.Key + user + "\n" + top;

    static readonly string[] Servers =
    [
        "https://127.0.0.1:6443", "http://127.0.0.1:6443", "https://[::1]:6443", "https://localhost:6443",
        "https://169.254.169.254",
        "http://169.254.169.254/latest/meta-data/", "https://10.0.0.1:6443", "https://172.16.5.4",
        "https://192.168.0.1:6443", "https://100.64.0.1",
        "https://[fd00::1]:6443", "https://[fe80::1%25eth0]:6443", "https://0.0.0.0:6443", "https://[::]:6443",
        "https://224.0.0.1",
        "https://kubernetes.default.svc", "https://api.cluster.local:6443", "https://kubernetes:6443",
        "https://[::ffff:127.0.0.1]:6443",
        "https://2130706433:6443", "https://0x7f.0.0.1:6443", "https://127.1:6443", "https://user:pw@{lb}:6443",
        "file:///etc/shadow",
        "unix:///var/run/docker.sock", "https://{lb}:6443/../../", "https://{lb}:6443?x=1", "gopher://{lb}:6443",
        "https://evil.example:6443",
        "https://[2002:7f00:1::]:6443", "https://[64:ff9b::a9fe:a9fe]", "https://{lb}.nip.io:6443", "",
    ];

    public static (byte[] Body, string What) Create(Random r, string lb, string marker)
    {
        var server = $"https://{lb}:6443";
        var exec =
            $"\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/sh\n      args: " +
            $"[\"-c\", \"touch {marker}\"]\n      interactiveMode: Never";
        switch (r.Next(24))
        {
            case 0: return (Utf8(Valid(server, user: exec)), "exec");
            case 1: return (Utf8(Valid(server,
                user: "\n    auth-provider:\n      name: oidc\n      config: {idp-issuer-url: " +
                    "'https://169.254.169.254', client-id: x}")), "auth-provider");
            case 2:
            {
                var field = new[] { "client-certificate", "client-key", "tokenFile" }[r.Next(3)];
                return (Utf8(Valid(server,
                    user: $"\n    {field}: {Pick(r, "/etc/shadow", "/proc/self/environ", "../../vault.key",
                        "/var/run/secrets/kubernetes.io/serviceaccount/token")}")), field);
            }
            case 3: return (Utf8(Valid(server, cluster: "\n    certificate-authority: /etc/ssl/private/key.pem")),
                "certificate-authority path");
            case 4: return (Utf8(Valid(server,
                cluster: $"\n    proxy-url: {Pick(r, "http://169.254.169.254", "socks5://10.0.0.1:1080",
                    "http://127.0.0.1:8080")}")), "proxy-url");
            case 5: return (Utf8(Valid(server, cluster: "\n    insecure-skip-tls-verify: " +
                Pick(r, "true", "True", "yes", "on", "1", "!!bool true"))), "insecure-skip-tls-verify");
            case 6: return (Utf8(Valid(server, user: "\n    username: admin\n    password: admin")), "basic auth");
            case 7:
            {
                var s = Servers[r.Next(Servers.Length)].Replace("{lb}", lb, StringComparison.Ordinal);
                return (Utf8(Valid(s)), $"server {s}");
            }
            case 8: return (Utf8(Valid(server, user: "\n    token: " + new string('A', r.Next(100_000, 1_100_000)))),
                "huge token");
            case 9: return (Utf8(Valid(server, top: new string('k', r.Next(10_000, 900_000)) + ": v\n")), "huge key");
            case 10:
            {
                // Billion laughs: each level nine times the last.
                var laughs = new StringBuilder(
                    "lol0: &l0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
                for (var i = 1; i < 10; i++)
                    laughs.Append($"lol{i}: &l{i} [{string.Join(",", Enumerable.Repeat($"*l{i - 1}", 9))}]\n");
                return (Utf8(r.Next(2) == 0 ? laughs.ToString() : Valid(server, top: laughs.ToString())),
                    "billion laughs");
            }
            case 11: return (Utf8(Valid(server).Replace("preferences: {}", "preferences: &p {}\nextra: *p")),
                "anchor and alias");
            case 12:
            {
                var tag = Pick(r, "!!python/object/apply:os.system [\"id\"]", "!<tag:yaml.org,2002:str> Config",
                    "!!binary aGVsbG8=", "!ruby/object:Gem::Installer {}", "!!str Config");
                return (Utf8(Valid(server).Replace("kind: Config", "kind: " + tag)), "tag");
            }
            case 13:
            {
                var depth = r.Next(9, 200_000);
                return (Utf8(r.Next(2) == 0 ? new string('[', depth) + new string(']', depth)
                    : Valid(server, top: "extensions: " + new string('{', Math.Min(depth, 400_000)) )), "deep nesting");
            }
            case 14:
            {
                var bytes = Utf8(Valid(server, user: exec)).ToList();
                bytes.InsertRange(r.Next(bytes.Count), new byte[] { 0xff, 0xfe, 0xc0, 0x80 }[..r.Next(1, 5)]);
                return (bytes.ToArray(), "non-UTF-8");
            }
            case 15: return (Utf8(Valid(server) + "users:\n- name: default\n  user:" + exec + "\n"),
                "duplicate users key");
            case 16: return (Utf8(Valid(server) + "---\n" + Valid(server, user: exec)), "two documents");
            case 17:
            {
                var list = Pick(r, "clusters", "users", "contexts");
                var second = list switch
                {
                    "clusters" =>
                        $"- cluster:\n    server: https://{lb}:6443\n    certificate-authority-data: {Pem.Cert}\n  " +
                        "name: second\n",
                    "users" => "- name: second\n  user:\n    token: t\n",
                    _ => "- context:\n    cluster: default\n    user: default\n  name: second\n",
                };
                return (Utf8(Valid(server).Replace($"{list}:\n", $"{list}:\n{second}")), $"two {list}");
            }
            case 18:
            {
                var json =
                    "{\"apiVersion\":\"v1\",\"kind\":\"Config\"," +
                    "\"clusters\":[{\"name\":\"c\",\"cluster\":{\"server\":\"" + server +
                    "\",\"certificate-authority-data\":\"" + Pem.Cert + "\"}}]," +
                    "\"users\":[{\"name\":\"u\",\"user\":{\"exec\":{\"command\":\"/bin/sh\",\"args\":[\"-c\",\"touch " +
                    marker + "\"],\"apiVersion\":\"client.authentication.k8s.io/v1\"}}}]," +
                    "\"contexts\":[{\"name\":\"x\",\"context\":{\"cluster\":\"c\",\"user\":\"u\"}}]," +
                    "\"current-context\":\"x\"}";
                return (Utf8(json), "JSON with exec");
            }
            case 19: return (Utf8(Valid(server, top: Pick(r, "extensions: []\n", "x-unknown: 1\n",
                "proxy-url: http://10.0.0.1\n", "exec: {command: id}\n"))), "unknown top-level key");
            case 20: return (Utf8(Valid(server, user: "\n    as: system:admin\n    as-groups: [system:masters]")),
                "impersonation");
            case 21:
            {
                // Random byte flips in a kubeconfig whose server no Catalyst
                // may reach, so a surviving mutant is still refused.
                var bytes = Utf8(Valid("https://169.254.169.254:6443", user: r.Next(2) == 0 ? exec : ""));
                for (var i = r.Next(1, 20); i > 0; i--) bytes[r.Next(bytes.Length)] = (byte)r.Next(256);
                return (bytes, "byte flips");
            }
            case 22:
            {
                // Cut anywhere, so before the exec too: the server is one no
                // Catalyst may reach, so a surviving prefix is still refused.
                var text = Valid("https://169.254.169.254:6443", user: exec);
                return (Utf8(text[..r.Next(1, text.Length)]), "truncated");
            }
            default:
                return (Utf8(Valid(server).Replace("preferences: {}",
                    Pick(r, "<<: {exec: {command: id}}", "? [a, b]\n: c", "? {exec: x}\n: y",
                    "\"users\": []", "preferences: {}\0", "%TAG ! tag:evil.example,2000:\n"))), "odd YAML");
        }
    }

    static string Pick(Random r, params string[] options) => options[r.Next(options.Length)];

    static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
