using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>
/// Issue 15 through the real HTTP host: a posted kubeconfig is data. Hostile ones are refused with 422 before anything
/// is stored or any client is built (an <c>exec</c> plugin that would create a marker file never runs), a stored one
/// from before the rules is skipped on rescan, and the bearer is spent once and for good (a wipe ends it).
/// </summary>
public class KubeconfigAsDataTests
{
    static readonly string Ca = CreateCa();

    static string CreateCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=k3s-server-ca", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(cert.ExportCertificatePem()));
    }

    static string Kubeconfig(string server, string user) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: default
          cluster:
            server: {server}
            certificate-authority-data: {Ca}
        contexts:
        - name: default
          context:
            cluster: default
            user: default
        current-context: default
        users:
        - name: default
          user:
        {user}
        """;

    static string Exec(string marker) => $"""
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: /bin/sh
              args: ["-c", "touch {marker}"]
              interactiveMode: Never
        """;

    const string AuthProvider = """
            auth-provider:
              name: oidc
              config:
                idp-issuer-url: https://169.254.169.254/
                client-id: catalyst
        """;

    const string TokenUser = "    token: abc.def";

    static async Task<(HttpStatusCode Status, JsonObject? Body)> PutAsync(AppProcess app, string id, string bearer, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/deployments/{id}/kubeconfig") { Content = new StringContent(body) };
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {bearer}");
        using var response = await app.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject());
    }

    static void AssertRefused((HttpStatusCode Status, JsonObject? Body) answer, string detail)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.Equal("kubeconfig-refused", answer.Body!["error"]!.GetValue<string>());
        Assert.Contains(detail, answer.Body["detail"]!.GetValue<string>());
    }

    static Vault VaultOf(ProvisioningWorld world) => new(new BlobServiceClient(world.Azurite.ConnectionString), Convert.FromBase64String(AppProcess.TestVaultKey));

    [Fact]
    public async Task HostileKubeconfigsAreRefusedBeforeAnythingIsStoredOrRun()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Settings.Remove("FAKE_TOFU_KUBECONFIG_FILE");
        // Not a sandbox: the address rules are production's.
        world.Settings["CATALYST_SANDBOX"] = "false";
        var app = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync($"kd{Guid.NewGuid():N}"[..12], b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.hostile.example"; });
        var bearer = await SecretScan.BearerOfAsync(world.Azurite, id);
        var waiting = await Wait.ForAsync(async () => await world.StateAsync(id) is var s && s["step"]!.GetValue<string>() == "kubeconfig-wait" ? s : null,
            TimeSpan.FromSeconds(60), "the workflow to wait for the kubeconfig");
        var lb = waiting["result"]!["loadBalancerIP"]!.GetValue<string>();
        var marker = Path.Combine(Path.GetTempPath(), $"catalyst-exec-marker-{Guid.NewGuid():N}");

        AssertRefused(await PutAsync(app, id, bearer, Kubeconfig($"https://{lb}:6443", Exec(marker))), "users[0].user.exec");
        AssertRefused(await PutAsync(app, id, bearer, Kubeconfig($"https://{lb}:6443", AuthProvider)), "users[0].user.auth-provider");
        AssertRefused(await PutAsync(app, id, bearer, Kubeconfig("https://127.0.0.1:6443", TokenUser)), "loopback");
        AssertRefused(await PutAsync(app, id, bearer, Kubeconfig("https://169.254.169.254", TokenUser)), "link-local");
        // A loopback fake API is a sandbox's only: outside one, http to loopback is refused as well.
        AssertRefused(await PutAsync(app, id, bearer, File.ReadAllText(world.KubeconfigFile)), "clusters[0].cluster.server");

        // Refused before any client was built: nothing in the vault, the record untouched, and the plugin never ran.
        Assert.Null(await VaultOf(world).GetAsync(id, VaultEntries.Kubeconfig));
        var after = await world.StateAsync(id);
        Assert.Null(after["result"]!["kubeconfigReceivedAt"]);
        Assert.Equal("phase1-watching", after["status"]!.GetValue<string>());
        Assert.False(File.Exists(marker), "the exec plugin ran");
        Assert.DoesNotContain("touch", app.Output);
    }

    [Fact]
    public async Task TheBearerIsSpentByTheFirstGoodPostbackAndAWipeEndsItForGood()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Settings.Remove("FAKE_TOFU_KUBECONFIG_FILE");
        world.Settings["CATALYST_WIPE_WAIT"] = "60s";
        var app = await world.StartAppAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(200));
        var id = await world.CreateDeploymentAsync($"kb{Guid.NewGuid():N}"[..12], b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.once.example"; });
        var bearer = await SecretScan.BearerOfAsync(world.Azurite, id);
        await Wait.UntilAsync(() => world.StateAsync(id).Result["step"]!.GetValue<string>() == "kubeconfig-wait", TimeSpan.FromSeconds(60), "the workflow to wait for the kubeconfig");
        var good = File.ReadAllText(world.KubeconfigFile);
        var marker = Path.Combine(Path.GetTempPath(), $"catalyst-exec-marker-{Guid.NewGuid():N}");

        // The sandbox may reach its loopback fake, but an exec plugin is refused there too; a 422 does not spend the bearer.
        AssertRefused(await PutAsync(app, id, bearer, good.Replace("    token: " + FakeHelmReleaseApi.Token, Exec(marker))), "users[0].user.exec");
        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(app, id, bearer, good)).Status);
        var again = await PutAsync(app, id, bearer, good);
        Assert.Equal((HttpStatusCode.Forbidden, "already-set"), (again.Status, again.Body!["error"]!.GetValue<string>()));
        await world.WaitForStatusAsync(id, "ready");
        Assert.False(File.Exists(marker), "the exec plugin ran");

        using (var wipe = await app.Http.PostAsync($"/api/v1/deployments/{id}/wipe", null))
            Assert.Equal("wiped", (await wipe.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
        // The old bearer meets no hash: before issue 15 the emptied vault made it single-use no more.
        var afterWipe = await PutAsync(app, id, bearer, good);
        Assert.Equal((HttpStatusCode.Forbidden, "no-bearer-hash"), (afterWipe.Status, afterWipe.Body!["error"]!.GetValue<string>()));
        var record = await new DeploymentStore(new BlobServiceClient(world.Azurite.ConnectionString)).GetAsync(id);
        Assert.Equal("", record!.KubeconfigBearerHash);
        Assert.Null(await VaultOf(world).GetAsync(id, VaultEntries.KubeconfigBearer));
        Assert.Null(await VaultOf(world).GetAsync(id, VaultEntries.Kubeconfig));
    }

    [Fact]
    public async Task APostbackAfterAWipeThatCameFirstIsRefused()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Settings.Remove("FAKE_TOFU_KUBECONFIG_FILE");
        world.Settings["CATALYST_WIPE_WAIT"] = "60s";
        var app = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync($"kw{Guid.NewGuid():N}"[..12], b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.wiped.example"; });
        var bearer = await SecretScan.BearerOfAsync(world.Azurite, id);
        await Wait.UntilAsync(() => world.StateAsync(id).Result["step"]!.GetValue<string>() == "kubeconfig-wait", TimeSpan.FromSeconds(60), "the workflow to wait for the kubeconfig");

        using (var wipe = await app.Http.PostAsync($"/api/v1/deployments/{id}/wipe", null))
            Assert.Equal("wiped", (await wipe.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
        // The cloud-init of a Sovereign that was wiped before it called back: refused, and nothing is stored.
        var late = await PutAsync(app, id, bearer, File.ReadAllText(world.KubeconfigFile));
        Assert.Equal(HttpStatusCode.Forbidden, late.Status);
        Assert.Null(await VaultOf(world).GetAsync(id, VaultEntries.Kubeconfig));
    }

    [Fact]
    public async Task AStoredKubeconfigFromBeforeTheRulesIsSkippedOnRescanAndNeverRun()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Settings["CATALYST_K8SCACHE_RESCAN_INTERVAL"] = "1s";
        var app = await world.StartAppAsync();
        var marker = Path.Combine(Path.GetTempPath(), $"catalyst-exec-marker-{Guid.NewGuid():N}");
        // A live deployment whose kubeconfig was stored before issue 15: loopback (this app is a sandbox) and an exec plugin.
        var blobs = new BlobServiceClient(world.Azurite.ConnectionString);
        var id = DeploymentId.New();
        Assert.True(await new DeploymentStore(blobs).CreateAsync(new DeploymentRecord
        {
            Id = id, Status = DeploymentStatuses.Ready, Request = new DeploymentRequest { SovereignFqdn = "legacy.omani.works" },
            Result = new DeploymentResult { SovereignFqdn = "legacy.omani.works", KubeconfigReceivedAt = DateTimeOffset.UtcNow },
            StartedAt = DateTimeOffset.UtcNow, KubeconfigBearerHash = KubeconfigBearer.Hash(KubeconfigBearer.New()),
        }));
        var legacy = File.ReadAllText(world.KubeconfigFile).Replace("    token: " + FakeHelmReleaseApi.Token, Exec(marker));
        await VaultOf(world).PutAsync(id, VaultEntries.Kubeconfig, Encoding.UTF8.GetBytes(legacy));

        await Wait.UntilAsync(() => app.Output.Contains($"Cluster {id}: stored kubeconfig refused (users[0].user.exec"), TimeSpan.FromSeconds(30), "the rescan to skip the stored kubeconfig");
        Assert.False(File.Exists(marker), "the exec plugin ran");
        using var pods = await app.Http.GetAsync($"/api/v1/sovereigns/{id}/k8s/pod");
        Assert.Equal(HttpStatusCode.NotFound, pods.StatusCode);
    }
}
