namespace Catalyst.Testing;

/// <summary>
/// Everything outside Catalyst that a pool provision talks to, faked on loopback (DESIGN §8) for the sandbox and the
/// benchmarks: the tofu binary (which plays cloud-init and PUTs a per-deployment kubeconfig back to the app that ran
/// it), one Kubernetes API serving every new cluster, Dynadot with the pool zone, and Hetzner. <see cref="AppSettings"/>
/// points an app at all of it; the app itself is the caller's (an <see cref="AppProcess"/>).
/// </summary>
public sealed class FakeSovereignCloud : IAsyncDisposable
{
    public const string PoolDomain = "omani.works";

    readonly bool ownsRoot;

    FakeSovereignCloud(string root, bool ownsRoot, FakeHelmReleaseApi kubernetes)
    {
        Root = root;
        this.ownsRoot = ownsRoot;
        Kubernetes = kubernetes;
        Dynadot.AddZone(PoolDomain);
        Directory.CreateDirectory(Path.Combine(root, "journal"));
        File.WriteAllText(KubeconfigFile, kubernetes.PerDeploymentKubeconfig());
        TofuBinary = FakeTofuBinary.Create(root);
    }

    public string Root { get; }
    public FakeHelmReleaseApi Kubernetes { get; }
    public FakeDynadot Dynadot { get; } = new();
    public FakeHetzner Hetzner { get; } = new(WizardBodies.HetznerToken);
    public string TofuBinary { get; }
    public string KubeconfigFile => Path.Combine(Root, "kubeconfig.yaml");
    public string PostbackJournal => Path.Combine(Root, "postbacks.log");

    /// <summary>One journal per deployment: the fake tofu writes a line per resource it creates or destroys.</summary>
    public string JournalOf(string deploymentId) => Path.Combine(Root, "journal", $"{deploymentId}.log");

    public string[] JournalLines(string deploymentId) => File.Exists(JournalOf(deploymentId)) ? File.ReadAllLines(JournalOf(deploymentId)) : [];

    /// <summary>When each deployment's fake cloud-init PUT its kubeconfig (unix ms, as the fake wrote it).</summary>
    public Dictionary<string, long> Postbacks() => !File.Exists(PostbackJournal) ? [] : File.ReadAllLines(PostbackJournal)
        .Select(l => l.Split(' ')).Where(p => p.Length == 2 && long.TryParse(p[1], out _))
        .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Min(p => long.Parse(p[1])));

    /// <param name="root">Where the fakes keep their files; a fresh temporary directory when null.</param>
    public static async Task<FakeSovereignCloud> StartAsync(string? root = null)
    {
        var owns = root is null;
        root ??= Directory.CreateTempSubdirectory("catalyst-fakes-").FullName;
        Directory.CreateDirectory(root);
        return new FakeSovereignCloud(root, owns, await FakeHelmReleaseApi.StartAsync());
    }

    /// <summary>Settings for a standalone app on <paramref name="azurite"/> that provisions into these fakes, in sandbox mode.</summary>
    public Dictionary<string, string?> AppSettings(AzuriteServer? azurite, string? storageConnection, string hubName)
    {
        var settings = azurite is null
            ? new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storageConnection, ["CATALYST_BIND_ADDRESS"] = "127.0.0.1", ["CATALYST_AUTH_MODE"] = "off", ["CATALYST_TOFU_ENV_PASSTHROUGH"] = "FAKE_TOFU_*",
                ["CATALYST_HOST_MODE"] = "standalone", ["CATALYST_VAULT_KEY"] = AppProcess.TestVaultKey,
                ["AzureFunctionsJobHost__extensions__durableTask__hubName"] = hubName }
            : AppProcess.TestSettings(azurite, hubName);
        foreach (var (k, v) in WizardBodies.OperatorSettings) settings[k] = v;
        settings["CATALYST_SANDBOX"] = "true";
        // A sandbox reaches no real object storage either (nothing answers here: the wizard's check says so).
        settings.TryAdd("CATALYST_OBJECT_STORAGE_ENDPOINT_TEMPLATE", "http://127.0.0.1:9");
        settings["CATALYST_TOFU_BINARY"] = TofuBinary;
        settings["CATALYST_TOFU_MODULE_PATH"] = Path.Combine(RepoPaths.Root, "infra", "hetzner");
        settings["CATALYST_TOFU_WORKDIR"] = Path.Combine(Root, "work");
        settings["CATALYST_PHASE1_WATCH_CHECK_IN"] = "30s";
        settings["CATALYST_PHASE1_KUBECONFIG_ARRIVAL_TIMEOUT"] = "5m";
        settings["DYNADOT_API_KEY"] = Dynadot.Key;
        settings["DYNADOT_API_SECRET"] = Dynadot.Secret;
        settings["CATALYST_DYNADOT_BASE_URL"] = Dynadot.Url;
        settings["CATALYST_HETZNER_API_BASE_URL"] = Hetzner.Url;
        settings["FAKE_TOFU_JOURNAL"] = Path.Combine(Root, "journal", "{deployment_id}.log");
        settings["FAKE_TOFU_KUBECONFIG_FILE"] = KubeconfigFile;
        settings["FAKE_TOFU_POSTBACK_URL"] = "backend";
        settings["FAKE_TOFU_POSTBACK_JOURNAL"] = PostbackJournal;
        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        await Kubernetes.DisposeAsync();
        Dynadot.Dispose();
        Hetzner.Dispose();
        if (ownsRoot)
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
