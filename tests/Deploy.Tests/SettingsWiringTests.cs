namespace Catalyst.Deploy.Tests;

/// <summary>
/// Every setting the app reads reaches the pod, or is left to its default on purpose. "The app reads" means: the keys
/// of local.settings.sample.json's Values (DESIGN §7: every setting is there), the seed Deployment's environment
/// (SeedEnvironment), and every "CATALYST_..." string literal in src/. A new setting therefore fails these tests until
/// deploy/keda/base sets it (in the Deployment's env, or in the catalyst-settings ConfigMap for non-secret values) or
/// it is added to <see cref="LeftToDefault"/> below with the reason.
/// </summary>
public sealed class SettingsWiringTests
{
    /// <summary>The production shape: literal values are compared with the seed's here (the Azurite overlay changes URLs).</summary>
    const string ProductionOverlay = "azure-storage";

    /// <summary>
    /// Settings the app reads that the Deployment deliberately does not set. Each entry says why; the app's default (or
    /// the image's ENV) applies. An entry that the Deployment sets after all, or that the app no longer reads, fails
    /// <see cref="LeftToDefaultIsNeitherSetNorStale"/>.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> LeftToDefault = new Dictionary<string, string>
    {
        // Each image sets it: functions in Dockerfile.functions, standalone in Dockerfile.standalone. The Deployment runs
        // either image unchanged (an overlay's `images:` picks one), so it must not force a mode.
        ["CATALYST_HOST_MODE"] = "set by the image",
        // Only `run.sh --sandbox` turns it on, with loopback fakes; a deployed Catalyst provisions for real (default false).
        ["CATALYST_SANDBOX"] = "sandbox runs only locally (sandbox/Catalyst.Sandbox); off in any Deployment",
        // Retired with the PVC: records, kubeconfigs and cluster-cache snapshots are blobs (DESIGN §6-7).
        ["CATALYST_DEPLOYMENTS_DIR"] = "replaced by the deployments blob container",
        ["CATALYST_KUBECONFIGS_DIR"] = "replaced by the vault blob container",
        ["CATALYST_K8SCACHE_KUBECONFIGS_DIR"] = "replaced by the vault blob container",
        ["CATALYST_K8SCACHE_SNAPSHOT_DIR"] = "replaced by the snapshots blob container",
        // The seed let the signer generate its private key on the PVC. Without a volume, and with several replicas, a
        // generated key would differ per pod; the signer stays off (unset) until the key comes from a Secret or the
        // vault. Open question for the owner of handover signing (deploy/keda/README.md).
        ["CATALYST_HANDOVER_KEY_PATH"] = "no per-pod key: needs a shared key source first",
        ["CATALYST_HANDOVER_PUBKEY_PATH"] = "follows CATALYST_HANDOVER_KEY_PATH, which is left unset",
        ["CATALYST_HANDOVER_JWT_ISSUER"] = "the original's issuer is the default",
        // Development only: production sets CATALYST_VAULT_KEY, so nothing is generated on disk.
        ["CATALYST_DATA_DIR"] = "development-only location of a generated vault key",
        // The real services are the defaults; these exist for fakes and proxies.
        ["CATALYST_DYNADOT_BASE_URL"] = "Dynadot's public API is the default",
        ["CATALYST_HETZNER_API_BASE_URL"] = "Hetzner's public API is the default",
        ["CATALYST_OBJECT_STORAGE_ENDPOINT_TEMPLATE"] = "Hetzner Object Storage's public endpoints are the default",
        ["CATALYST_GITOPS_REPO_URL"] = "the original's default repository",
        ["CATALYST_GITOPS_BRANCH"] = "the original's default branch",
        // Timings whose defaults are the original's (reference B.7, §G) or chosen for production.
        ["CATALYST_PHASE1_KUBECONFIG_ARRIVAL_TIMEOUT"] = "the original's 15m",
        ["CATALYST_PHASE1_WATCH_TIMEOUT"] = "the original's 60m",
        ["CATALYST_PHASE1_FIRST_SEEN_TIMEOUT"] = "the original's 15m",
        ["CATALYST_PHASE1_WATCH_CHECK_IN"] = "5m: how often a waiting workflow makes sure its Sovereign is watched",
        ["CATALYST_PHASE1_WATCH_LEASE"] = "30s: a dead replica's watches move within it",
        ["CATALYST_PHASE1_WATCH_SCAN_INTERVAL"] = "2s",
        ["CATALYST_PHASE1_WATCH_SHARDS"] = "16",
        ["CATALYST_SUBDOMAIN_RESERVATION_TTL"] = "30m, renewed as the workflow starts; committed only after a successful apply",
        // Issue 15 (squatting): the defaults are the safe choice in production.
        ["CATALYST_RESERVED_SUBDOMAINS"] = "the built-in list of OpenOva's own names (console, www, api, mail, harbor, ns1…)",
        ["CATALYST_MAX_DEPLOYMENTS_IN_PROGRESS_PER_OWNER"] = "3 per owner in session mode, which the ConfigMap sets",
        ["CATALYST_WIPE_WAIT"] = "20s, below any ingress timeout",
        ["CATALYST_TOFU_TIMEOUT"] = "the original's 30m Phase-0 limit",
        ["CATALYST_TOFU_BINARY"] = "the image's pinned tofu on PATH",
        ["CATALYST_TOFU_ENV_PASSTHROUGH"] = "tofu inherits only PATH, HOME, TMPDIR, proxies and CAs; nothing else is needed by the image",
        ["CATALYST_TOFU_BACKEND_URL"] = "the app itself on loopback:8080, where both images listen",
        // Sign-in (issue 14): the defaults are the safe choice; CATALYST_AUTH_MODE and the operator role are set in the ConfigMap.
        ["CATALYST_KC_AUDIENCE"] = "the client Catalyst exchanges sessions for: catalyst-zero-ui on Zero, catalyst-ui on a Sovereign",
        ["CATALYST_KC_ISSUER"] = "the realm's JWKS pins the realm; set it only to pin the public issuer URL too",
        ["CATALYST_KC_REQUIRED_ROLE"] = "any user of the realm may sign in (sign-up proves the email first)",
        ["CATALYST_OPERATOR_EMAILS"] = "operators come from the Keycloak role",
        ["CATALYST_TRUSTED_IDENTITY_HEADER"] = "no authenticating proxy in front: identity comes from the session only",
        ["CATALYST_MAGIC_LINK_PER_EMAIL"] = "5 per window",
        ["CATALYST_MAGIC_LINK_PER_ADDRESS"] = "20 per window",
        ["CATALYST_MAGIC_LINK_WINDOW"] = "15m",
        // Cluster-cache tuning: the original's values are the defaults (reference D).
        ["CATALYST_K8SCACHE_ENABLED"] = "on",
        ["CATALYST_K8SCACHE_BURST"] = "the original's 100",
        ["CATALYST_K8SCACHE_QPS"] = "the original's 50",
        ["CATALYST_K8SCACHE_EVENT_BUFFER"] = "the original's 4096",
        ["CATALYST_K8SCACHE_KINDS_FILE"] = "standalone only; the ConfigMap extension is wired",
        ["CATALYST_K8SCACHE_PRIMARY"] = "the first registered Sovereign",
        ["CATALYST_K8SCACHE_RESCAN_INTERVAL"] = "30s",
        ["CATALYST_K8SCACHE_SAR_TTL_SECONDS"] = "the original's 30",
        ["CATALYST_K8SCACHE_SNAPSHOT_INTERVAL"] = "the original's 60s",
        ["CATALYST_K8SCACHE_SNAPSHOT_MAX_AGE"] = "the original's 1h",
        ["CATALYST_K8SCACHE_SAR_USER_CLAIM"] = "email, as a kube-apiserver's --oidc-username-claim usually is",
        ["CATALYST_K8SCACHE_SAR_USER_PREFIX"] = "none, as --oidc-username-prefix when unset for the email claim",
        ["CATALYST_K8SCACHE_UNREDACTED_KINDS"] = "none: every kind's env values are redacted",
        // Limits against hostile tenants and clients (issue 15): the defaults are sized for production.
        ["CATALYST_K8SCACHE_LIST_PAGE_SIZE"] = "500 items, as the original's pager",
        ["CATALYST_K8SCACHE_MAX_LIST_PAGE_BYTES"] = "64 MiB: a 500-item page of large objects fits",
        ["CATALYST_K8SCACHE_MAX_WATCH_LINE_BYTES"] = "4 MiB: above etcd's 1.5 MiB object limit",
        ["CATALYST_K8SCACHE_MAX_ERROR_BODY_BYTES"] = "64 KiB: an error body is only quoted in a log line",
        ["CATALYST_K8SCACHE_MAX_OBJECTS_PER_KIND"] = "50 000 per kind per cluster",
        ["CATALYST_K8SCACHE_SAR_CACHE_MAX"] = "10 000 answers",
        ["CATALYST_K8SCACHE_MAX_SUBSCRIBERS_PER_CLUSTER"] = "200 streams per cluster per replica",
        ["CATALYST_SSE_MAX_PER_CLIENT"] = "20 streams per client address per replica",
        ["CATALYST_SSE_MAX_TOTAL"] = "1000 streams per replica",
        ["CATALYST_SSE_MAX_DURATION"] = "10 min per stream, well before host.json's functionTimeout (1 h); clients reconnect",
        ["CATALYST_EVENTS_MAX_PER_DEPLOYMENT"] = "100 000 events, ten times the original's buffer",
        ["CATALYST_EVENTS_SEGMENT_MAX_APPENDS"] = "45 000, below Azure's 50 000 appends per blob; must be equal on every replica",
    };

    /// <summary>
    /// Settings the Deployment wires before the app's code reads them (named by the design or the reference): they
    /// count as known settings so that <see cref="EverySettingTheDeploymentSetsIsOneTheAppKnows"/> accepts them.
    /// Remove an entry once local.settings.sample.json lists it.
    /// </summary>
    static readonly IReadOnlyDictionary<string, string> WiredAheadOfTheApp = new Dictionary<string, string>
    {
    };

    /// <summary>Environment the container needs that is not an app setting.</summary>
    // AzureFunctionsWebHost__hostid is read by the Functions host, not the app: one host ID for all replicas (issue 19).
    static readonly IReadOnlySet<string> PlatformVariables = new HashSet<string> { "HOME", "AzureFunctionsWebHost__hostid" };

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryReplicaHasTheSameFunctionsHostIdSoTimersRunOnce(string overlay)
    {
        // Without it the Functions host derives its ID per pod, and each replica takes its own timer schedule lock.
        var hostId = Manifests.Of(overlay).AppEnvironment()["AzureFunctionsWebHost__hostid"];
        Assert.Equal(EnvOrigin.Value, hostId.Origin);
        Assert.Matches("^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$", hostId.Value);
    }

    /// <summary>Seed literals the Deployment changes on purpose, each with why.</summary>
    static readonly IReadOnlyDictionary<string, string> ChangedFromSeed = new Dictionary<string, string>
    {
        ["CATALYST_TOFU_WORKDIR"] = "scratch on the /tmp emptyDir: tofu state lives in the blob-backed http backend (DESIGN §5)",
    };

    static IReadOnlySet<string> SettingsTheAppReads() =>
        AppFacts.SampleSettings
            .Concat(SeedEnvironment.All.Select(e => e.Name))
            .Concat(AppFacts.SettingsNamedInSource)
            .ToHashSet(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EverySettingTheAppReadsIsWiredOrLeftToDefault(string overlay)
    {
        var env = Manifests.Of(overlay).AppEnvironment();
        var missing = SettingsTheAppReads().Where(s => !env.ContainsKey(s) && !LeftToDefault.ContainsKey(s)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0,
            $"{overlay}: the app reads {string.Join(", ", missing)} but the Deployment does not set it. Set it in deploy/keda/base " +
            "(deployment.yaml env for secrets and values tied to the pod spec; the catalyst-settings ConfigMap in kustomization.yaml " +
            "for other values), or add it to SettingsWiringTests.LeftToDefault with the reason.");
    }

    [Fact]
    public void LeftToDefaultIsNeitherSetNorStale()
    {
        var reads = SettingsTheAppReads();
        foreach (var overlay in Kustomize.Overlays)
        {
            var env = Manifests.Of(overlay).AppEnvironment();
            var setAnyway = LeftToDefault.Keys.Where(env.ContainsKey).ToList();
            Assert.True(setAnyway.Count == 0, $"{overlay}: {string.Join(", ", setAnyway)} is listed as left to default but the Deployment sets it");
        }

        var stale = LeftToDefault.Keys.Where(k => !reads.Contains(k)).ToList();
        Assert.True(stale.Count == 0, $"{string.Join(", ", stale)} is listed as left to default but the app no longer reads it: remove the entry");
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EverySettingTheDeploymentSetsIsOneTheAppKnows(string overlay)
    {
        var known = SettingsTheAppReads().Concat(WiredAheadOfTheApp.Keys).Concat(PlatformVariables).ToHashSet(StringComparer.Ordinal);
        var unknown = Manifests.Of(overlay).AppEnvironment().Keys.Where(k => !known.Contains(k)).Order(StringComparer.Ordinal).ToList();
        Assert.True(unknown.Count == 0,
            $"{overlay}: the Deployment sets {string.Join(", ", unknown)}, which the app does not read (a typo does nothing, silently). " +
            "Fix the name, or add the setting to local.settings.sample.json.");
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void SeedSecretAndConfigMapReferencesKeepTheirNamesKeysAndOptionalChoice(string overlay)
    {
        var env = Manifests.Of(overlay).AppEnvironment();
        foreach (var seed in SeedEnvironment.All.Where(e => e.Source != SeedEnvironment.Source.Value))
        {
            Assert.True(env.TryGetValue(seed.Name, out var actual), $"{overlay}: {seed.Name} is not set (seed: {seed.RefName}/{seed.Key})");
            var expectedOrigin = seed.Source == SeedEnvironment.Source.Secret ? EnvOrigin.SecretKey : EnvOrigin.ConfigMapKey;
            Assert.True(actual.Origin == expectedOrigin, $"{overlay}: {seed.Name} must come from a {seed.Source} as in the seed, not {actual.Origin}");
            Assert.True(actual.SourceName == seed.RefName && actual.Key == seed.Key,
                $"{overlay}: {seed.Name} reads {actual.SourceName}/{actual.Key}; the seed (and running clusters) use {seed.RefName}/{seed.Key}");
            Assert.True(actual.Optional == seed.Optional,
                $"{overlay}: {seed.Name} optional={actual.Optional}; the seed chose optional={seed.Optional}");
        }
    }

    [Fact]
    public void SeedLiteralValuesAreKeptOrTheChangeIsExplained()
    {
        var env = Manifests.Of(ProductionOverlay).AppEnvironment();
        foreach (var seed in SeedEnvironment.All.Where(e => e.Source == SeedEnvironment.Source.Value))
        {
            if (LeftToDefault.ContainsKey(seed.Name) || ChangedFromSeed.ContainsKey(seed.Name)) continue;
            Assert.True(env.TryGetValue(seed.Name, out var actual), $"{seed.Name} is not set (seed: \"{seed.Value}\")");
            Assert.True(actual.Value == seed.Value,
                $"{seed.Name} is \"{actual.Value}\"; the seed has \"{seed.Value}\". Keep it, or add it to ChangedFromSeed with the reason.");
        }

        foreach (var name in ChangedFromSeed.Keys)
            Assert.True(env.ContainsKey(name), $"{name} is listed as changed from the seed but is not set");
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void StorageVaultAndHarborAreRequiredSecrets(string overlay)
    {
        var env = Manifests.Of(overlay).AppEnvironment();
        AssertRequiredSecret(env, overlay, "AzureWebJobsStorage", "catalyst-storage", "connection-string");
        AssertRequiredSecret(env, overlay, "CATALYST_VAULT_KEY", "catalyst-vault", "key");
        AssertRequiredSecret(env, overlay, "CATALYST_HARBOR_ROBOT_TOKEN", "harbor-robot-token", "token");
    }

    static void AssertRequiredSecret(IReadOnlyDictionary<string, EnvSetting> env, string overlay, string name, string secret, string key)
    {
        Assert.True(env.TryGetValue(name, out var setting), $"{overlay}: {name} is not set");
        Assert.True(setting.Origin == EnvOrigin.SecretKey && setting.SourceName == secret && setting.Key == key,
            $"{overlay}: {name} must come from Secret {secret} key {key}, not {setting.Origin} {setting.SourceName}/{setting.Key}");
        Assert.False(setting.Optional, $"{overlay}: {name} must not be optional: a pod without it must fail at start");
    }

    [Fact]
    public void SeedTableMatchesTheSeedFileWhenSharedIsPresent()
    {
        // shared/ sits next to the repository on developer machines and in CI; the table above is the contract either way.
        if (SeedEnvironment.SeedFile() is not { } path) return;
        var fromFile = SeedFileReader.Read(path);
        Assert.Equal(SeedEnvironment.All.Select(e => e.Name).Order(StringComparer.Ordinal), fromFile.Select(e => e.Name).Order(StringComparer.Ordinal));
        foreach (var entry in fromFile)
        {
            var expected = SeedEnvironment.All.Single(e => e.Name == entry.Name);
            Assert.True(expected == entry, $"SeedEnvironment has {expected}; {path} says {entry}");
        }
    }
}
