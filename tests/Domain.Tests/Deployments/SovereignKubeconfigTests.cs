using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tests.Deployments;

/// <summary>Issue 15: a Sovereign's kubeconfig is data — the accepted shape, each refused field, and the address rules.</summary>
public class SovereignKubeconfigTests
{
    const string LoadBalancerIp = "203.0.113.10", ControlPlaneIp = "198.51.100.7";
    static readonly (string Cert, string Key) Pem = CreatePem();

    static (string Cert, string Key) CreatePem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=k3s", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return (B64(cert.ExportCertificatePem()), B64(key.ExportECPrivateKeyPem()));
    }

    static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>k3s's /etc/rancher/k3s/k3s.yaml after cloud-init's sed (reference B.6), with optional extra lines.</summary>
    public static string K3s(string server = $"https://{LoadBalancerIp}:6443", string clusterExtra = "", string userExtra = "", string topExtra = "") => $"""
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: {Pem.Cert}
            server: {server}{clusterExtra}
          name: default
        contexts:
        - context:
            cluster: default
            user: default
          name: default
        current-context: default
        kind: Config
        preferences: {"{}"}
        users:
        - name: default
          user:
            client-certificate-data: {Pem.Cert}
            client-key-data: {Pem.Key}{userExtra}{topExtra}
        """;

    static DeploymentRecord Record(string? lb = LoadBalancerIp, string? cp = ControlPlaneIp) => new()
    {
        Id = "0123456789abcdef", Status = DeploymentStatuses.Phase1Watching, Request = TestRequests.Valid().Redacted(),
        StartedAt = DateTimeOffset.UnixEpoch, KubeconfigBearerHash = "h",
        Result = lb is null && cp is null ? null : new DeploymentResult { LoadBalancerIp = lb ?? "", ControlPlaneIp = cp ?? "" },
    };

    static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    static string RefusalOf(string yaml) => Assert.Throws<KubeconfigRefusedException>(() => SovereignKubeconfig.Parse(Bytes(yaml))).Detail;

    [Fact]
    public void K3sKubeconfigAfterCloudInitsRewriteIsAcceptedAndBuildsAClientConfiguration()
    {
        var parsed = SovereignKubeconfig.Parse(Bytes(K3s()));
        Assert.Equal(("default", "default", "default"), (parsed.ClusterName, parsed.UserName, parsed.ContextName));
        Assert.Equal(new Uri($"https://{LoadBalancerIp}:6443"), parsed.Server);
        Assert.Null(SovereignKubeconfig.Read(Bytes(K3s()), Record(), sandbox: false).Refusal);

        var config = parsed.ToClientConfiguration();
        Assert.Equal($"https://{LoadBalancerIp}:6443", config.Host);
        Assert.False(config.SkipTlsVerify);
        Assert.Single(config.SslCaCerts);
        Assert.Equal(Pem.Cert, config.ClientCertificateData);
    }

    [Fact]
    public void JsonAndATokenUserAreAcceptedToo()
    {
        var json = $$$"""
            {"apiVersion":"v1","kind":"Config","clusters":[{"name":"c","cluster":{"server":"https://{{{ControlPlaneIp}}}:6443","certificate-authority-data":"{{{Pem.Cert}}}","tls-server-name":"kubernetes"}}],
             "users":[{"name":"u","user":{"token":"abc.def"}}],"contexts":[{"name":"x","context":{"cluster":"c","user":"u","namespace":"flux-system"}}],"current-context":"x"}
            """;
        var parsed = SovereignKubeconfig.Parse(Bytes(json));
        Assert.Equal(("abc.def", "kubernetes"), (parsed.Token, parsed.TlsServerName));
        Assert.Null(parsed.CheckServer(Record(), sandbox: false));
    }

    [Theory]
    [InlineData("exec", "users[0].user.exec")]
    [InlineData("auth-provider", "users[0].user.auth-provider")]
    [InlineData("client-certificate", "users[0].user.client-certificate")]
    [InlineData("client-key", "users[0].user.client-key")]
    [InlineData("tokenFile", "users[0].user.tokenFile")]
    [InlineData("username", "users[0].user.username")]
    [InlineData("password", "users[0].user.password")]
    [InlineData("as", "users[0].user.as")]
    [InlineData("extensions", "users[0].user.extensions")]
    public void DangerousOrUnknownUserFieldsAreRefusedByPath(string field, string path)
    {
        var value = field == "exec" ? "\n      apiVersion: client.authentication.k8s.io/v1\n      command: sh\n      args: [-c, id]" : " x";
        Assert.StartsWith(path + ":", RefusalOf(K3s(userExtra: $"\n    {field}:{value}")));
    }

    [Theory]
    [InlineData("certificate-authority: /etc/ssl/ca.pem", "clusters[0].cluster.certificate-authority")]
    [InlineData("proxy-url: http://10.0.0.1:3128", "clusters[0].cluster.proxy-url")]
    [InlineData("insecure-skip-tls-verify: true", "clusters[0].cluster.insecure-skip-tls-verify")]
    [InlineData("insecure-skip-tls-verify: 'false'", "clusters[0].cluster.insecure-skip-tls-verify")]
    [InlineData("disable-compression: true", "clusters[0].cluster.disable-compression")]
    public void DangerousOrUnknownClusterFieldsAreRefusedByPath(string line, string path) =>
        Assert.StartsWith(path + ":", RefusalOf(K3s(clusterExtra: "\n    " + line)));

    [Fact]
    public void InsecureSkipTlsVerifyFalseIsHarmless() =>
        SovereignKubeconfig.Parse(Bytes(K3s(clusterExtra: "\n    insecure-skip-tls-verify: false")));

    [Fact]
    public void UnknownKeysAnywhereAndCountsOtherThanOneAreRefused()
    {
        Assert.StartsWith("extensions:", RefusalOf(K3s(topExtra: "\nextensions: []")));
        Assert.StartsWith("preferences:", RefusalOf(K3s().Replace("preferences: {}", "preferences: {colors: true}")));
        Assert.StartsWith("clusters[0].extra:", RefusalOf(K3s().Replace("  name: default\ncontexts:", "  name: default\n  extra: 1\ncontexts:")));
        Assert.StartsWith("users:", RefusalOf(K3s(topExtra: "\n- name: second\n  user:\n    token: t")));
        Assert.StartsWith("contexts:", RefusalOf(K3s().Replace("contexts:\n- context:\n    cluster: default\n    user: default\n  name: default\n", "contexts: []\n")));
        Assert.StartsWith("current-context:", RefusalOf(K3s().Replace("current-context: default", "current-context: other")));
        Assert.StartsWith("contexts[0].context.user:", RefusalOf(K3s().Replace("    user: default\n  name: default", "    user: admin\n  name: default")));
        Assert.StartsWith("users[0].user:", RefusalOf(K3s().Replace($"    client-key-data: {Pem.Key}", "")));
        Assert.StartsWith("users[0].user.client-key-data:", RefusalOf(K3s().Replace(Pem.Key, B64(Encoding.UTF8.GetString(Convert.FromBase64String(Pem.Key))[..60]))));
        Assert.StartsWith("users[0].user.client-key-data:", RefusalOf(K3s().Replace(Pem.Key, CreatePem().Key)));
        Assert.StartsWith("clusters[0].cluster.certificate-authority-data:", RefusalOf(K3s().Replace($"    certificate-authority-data: {Pem.Cert}\n", "")));
        Assert.StartsWith("clusters[0].cluster.certificate-authority-data:", RefusalOf(K3s().Replace($"certificate-authority-data: {Pem.Cert}", "certificate-authority-data: bm90IGEgY2VydA==")));
        Assert.StartsWith("users[0].user.token:", RefusalOf(K3s(userExtra: "\n    token: \"a\\r\\nX-Injected: 1\"")));
        Assert.StartsWith("users[0].user.token:", RefusalOf(K3s(userExtra: "\n    token: " + new string('A', SovereignKubeconfig.MaxTokenLength + 1))));
        Assert.StartsWith("clusters[0].cluster.server:", RefusalOf(K3s(server: "https://user:pw@203.0.113.10:6443")));
        Assert.StartsWith("clusters[0].cluster.server:", RefusalOf(K3s(server: "https://203.0.113.10:6443/k8s?x=1")));
        Assert.StartsWith("clusters[0].cluster.server:", RefusalOf(K3s(server: "file:///etc/passwd")));
        foreach (var odd in new[] { "https://0x7f.0.0.1:6443", "https://2130706433:6443", "https://127.1:6443", "https://[0:0::1]:6443", "https://203.000.113.010:6443", $"https://{LoadBalancerIp}:6443/../../", $"https://{LoadBalancerIp}:6443/./" })
            Assert.Contains("canonical", RefusalOf(K3s(server: odd)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("just a string")]
    [InlineData("- a\n- list")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("{\"apiVersion\": \"v1\"")]
    [InlineData("apiVersion: v1\n---\napiVersion: v1")]
    [InlineData("%YAML 1.1\n---\napiVersion: v1")]
    public void BodiesThatAreNotOneObjectAreRefused(string body) => RefusalOf(body);

    [Fact]
    public void YamlFeaturesAKubeconfigNeverUsesAreRefused()
    {
        Assert.Contains("anchors", RefusalOf(K3s().Replace("preferences: {}", "preferences: &p {}")));
        Assert.Contains("anchors", RefusalOf("a: &a [x, x]\nb: *a"));
        Assert.Contains("aliases", RefusalOf("b: *a"));
        Assert.Contains("tags", RefusalOf(K3s().Replace("kind: Config", "kind: !!str Config")));
        Assert.Contains("duplicate", RefusalOf(K3s() + "\nkind: Config"));
        Assert.Contains("keys must be plain", RefusalOf("? [a, b]\n: c"));
        // A billion laughs: refused at the first alias, long before anything expands.
        var laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" +
            string.Join("\n", Enumerable.Range(1, 9).Select(i => $"{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(",", Enumerable.Repeat($"*{(char)('a' + i - 1)}", 9))}]"));
        Assert.Contains("anchors", RefusalOf(laughs));
    }

    [Fact]
    public void DeepNestingHugeNodeCountsNonUtf8AndOversizedBodiesAreRefusedQuickly()
    {
        Assert.Contains("nested deeper", RefusalOf(new string('[', 100_000) + new string(']', 100_000)));
        Assert.Contains("nested deeper", RefusalOf(string.Concat(Enumerable.Range(0, 200).Select(i => new string(' ', i * 2) + "k:\n"))));
        Assert.Contains("nodes", RefusalOf("x: [" + string.Join(",", Enumerable.Repeat("1", 200_000)) + "]"));
        Assert.Contains("UTF-8", Assert.Throws<KubeconfigRefusedException>(() => SovereignKubeconfig.Parse([0x61, 0x3a, 0x20, 0xff, 0xfe])).Detail);
        Assert.Contains("exceeds", Assert.Throws<KubeconfigRefusedException>(() => SovereignKubeconfig.Parse(new byte[SovereignKubeconfig.MaxBytes + 1])).Detail);
    }

    [Theory]
    [InlineData("https://127.0.0.1:6443", "loopback")]
    [InlineData("https://127.8.9.10:6443", "loopback")]
    [InlineData("https://[::1]:6443", "loopback")]
    [InlineData("https://[::ffff:127.0.0.1]:6443", "loopback")]
    [InlineData("https://169.254.169.254", "link-local")]
    [InlineData("https://[fe80::1]:6443", "link-local")]
    [InlineData("https://10.0.0.5:6443", "private")]
    [InlineData("https://172.16.0.1:6443", "private")]
    [InlineData("https://172.31.255.255:6443", "private")]
    [InlineData("https://192.168.1.1:6443", "private")]
    [InlineData("https://100.64.0.1:6443", "shared")]
    [InlineData("https://[fd00::1]:6443", "unique local")]
    [InlineData("https://0.0.0.0:6443", "unspecified")]
    [InlineData("https://[::]:6443", "unspecified")]
    [InlineData("https://224.0.0.1:6443", "multicast")]
    [InlineData("https://[ff02::1]:6443", "multicast")]
    [InlineData("https://[2002:a00:1::]:6443", "private")]
    [InlineData("https://kubernetes.default.svc", "cluster-internal")]
    [InlineData("https://api.cluster.local:6443", "cluster-internal")]
    [InlineData("https://localhost:6443", "cluster-internal")]
    [InlineData("https://kubernetes:6443", "cluster-internal")]
    public void NonPublicServersAreRefusedWhateverTheRecordSays(string server, string what)
    {
        var host = new Uri(server).Host.Trim('[', ']');
        // Even a record that names the very address (a tampered or fake tofu output) does not make it reachable.
        var record = Record(lb: IPAddress.TryParse(host, out _) ? host : LoadBalancerIp);
        var verdict = SovereignKubeconfig.Read(Bytes(K3s(server: server)), record, sandbox: false);
        Assert.Null(verdict.Kubeconfig);
        Assert.Contains(what, verdict.Refusal);
        Assert.StartsWith("clusters[0].cluster.server:", verdict.Refusal);
    }

    [Fact]
    public void OnlyTheDeploymentsOwnAddressesOverHttpsAreReachable()
    {
        Assert.Null(SovereignKubeconfig.Read(Bytes(K3s(server: $"https://{ControlPlaneIp}:6443")), Record(), false).Refusal);
        Assert.Null(SovereignKubeconfig.Read(Bytes(K3s(server: $"https://[::ffff:{LoadBalancerIp}]:6443")), Record(), false).Refusal);
        Assert.Contains("not this deployment's", SovereignKubeconfig.Read(Bytes(K3s(server: "https://192.0.2.99:6443")), Record(), false).Refusal);
        Assert.Contains("not a name", SovereignKubeconfig.Read(Bytes(K3s(server: "https://api.acme.example:6443")), Record(), false).Refusal);
        Assert.Contains("must be https", SovereignKubeconfig.Read(Bytes(K3s(server: $"http://{LoadBalancerIp}:6443")), Record(), false).Refusal);
        // Before tofu's outputs are recorded the address cannot be judged yet: a distinct answer, so cloud-init retries.
        var early = SovereignKubeconfig.Read(Bytes(K3s()), Record(lb: null, cp: null), false);
        Assert.True(early.AddressesUnknown);
        Assert.NotNull(early.Refusal);
    }

    [Fact]
    public void TheSandboxMayUseLoopbackOverHttpOrHttpsAndNothingElseChanges()
    {
        var http = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: default
              cluster:
                server: http://127.0.0.1:45678
            contexts:
            - name: default
              context:
                cluster: default
                user: default
            current-context: default
            users:
            - name: default
              user:
                token: fake-token.0123456789abcdef
            """;
        Assert.Null(SovereignKubeconfig.Read(Bytes(http), Record(null, null), sandbox: true).Refusal);
        Assert.Null(SovereignKubeconfig.Read(Bytes(K3s(server: "https://localhost:6443")), Record(null, null), sandbox: true).Refusal);
        Assert.Contains("must be https", SovereignKubeconfig.Read(Bytes(http), Record(), sandbox: false).Refusal);
        Assert.Contains("link-local", SovereignKubeconfig.Read(Bytes(K3s(server: "https://169.254.169.254")), Record(lb: "169.254.169.254"), sandbox: true).Refusal);
        Assert.Contains("users[0].user.exec", SovereignKubeconfig.Read(Bytes(http.Replace("    token: fake-token.0123456789abcdef", "    exec: {command: id}")), Record(), sandbox: true).Refusal);
    }

    [Fact]
    public async Task NoClientIsEverBuiltFromARefusedKubeconfig()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"catalyst-exec-marker-{Guid.NewGuid():N}");
        var exec = Bytes(K3s(userExtra: $"\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/sh\n      args: [\"-c\", \"touch {marker}\"]"));
        Assert.Throws<KubeconfigRefusedException>(() => Catalyst.Domain.ClusterCache.ClusterConnection.FromKubeconfig(exec, 50, 100));
        var listing = await new Catalyst.Domain.Flux.HelmReleaseReader().ListAsync(exec, CancellationToken.None);
        Assert.Contains("users[0].user", Assert.IsType<Catalyst.Domain.Flux.HelmReleaseReader.Unusable>(listing).Error);
        Assert.False(File.Exists(marker), "the exec plugin ran");
    }

    [Theory]
    [InlineData("<<: {exec: {command: id}}")]
    [InlineData("? [a, b]\n: c")]
    [InlineData("? {exec: x}\n: y")]
    [InlineData("\"users\": []")]
    [InlineData("preferences: {}\0")]
    [InlineData("preferences: {}\0\nusers: []")]
    [InlineData("%TAG ! tag:evil.example,2000:\n")]
    public void OddYamlFoundByTheFuzzerIsRefused(string odd) => RefusalOf(K3s().Replace("preferences: {}", odd));
}
