namespace Catalyst.Deploy.Tests;

/// <summary>
/// The environment of the seed Deployment (shared/seed/api-deployment.yaml), written out once: every variable with its
/// literal value or its Secret/ConfigMap name, key and <c>optional</c> choice. The Deployment must keep each reference
/// exactly (names, keys and the optional choice are operator-facing contracts: the Secrets exist under these names on
/// running clusters). When shared/ is next to the repository, a test also compares this table with the seed file.
/// </summary>
public static class SeedEnvironment
{
    public enum Source { Value, Secret, ConfigMap }

    public sealed record Entry(string Name, Source Source, string? RefName = null, string? Key = null, bool Optional = false, string? Value = null);

    static Entry Val(string name, string value) => new(name, Source.Value, Value: value);
    static Entry Sec(string name, string secret, string key, bool optional) => new(name, Source.Secret, secret, key, optional);

    public static IReadOnlyList<Entry> All { get; } =
    [
        Val("PORT", "8080"),
        Val("CORS_ORIGIN", "https://console.openova.io"),
        Sec("DYNADOT_API_KEY", "dynadot-api-credentials", "api-key", optional: true),
        Sec("DYNADOT_API_SECRET", "dynadot-api-credentials", "api-secret", optional: true),
        Sec("DYNADOT_MANAGED_DOMAINS", "dynadot-api-credentials", "domains", optional: true),
        Sec("DYNADOT_DOMAIN", "dynadot-api-credentials", "domain", optional: true),
        Val("CATALYST_TOFU_WORKDIR", "/var/lib/catalyst/tofu"),
        Val("CATALYST_DEPLOYMENTS_DIR", "/var/lib/catalyst/deployments"),
        Val("CATALYST_PHASE1_MIN_BOOTSTRAP_KIT_HRS", "1"),
        Val("CATALYST_KUBECONFIGS_DIR", "/var/lib/catalyst/kubeconfigs"),
        Val("CATALYST_API_PUBLIC_URL", "https://console.openova.io/sovereign"),
        Val("CATALYST_K8SCACHE_KUBECONFIGS_DIR", "/var/lib/catalyst/kubeconfigs"),
        Val("CATALYST_K8SCACHE_SNAPSHOT_DIR", "/var/cache/sov-cache"),
        Val("CATALYST_K8SCACHE_KINDS_CONFIGMAP", "catalyst-k8scache-kinds"),
        Val("CATALYST_K8SCACHE_KINDS_CONFIGMAP_NAMESPACE", "catalyst"),
        Sec("CATALYST_GHCR_PULL_TOKEN", "catalyst-ghcr-pull-token", "token", optional: true),
        Sec("CATALYST_HARBOR_ROBOT_TOKEN", "harbor-robot-token", "token", optional: false),
        Sec("CATALYST_POWERDNS_API_KEY", "powerdns-api-credentials", "api-key", optional: true),
        Sec("CATALYST_KC_ADDR", "catalyst-kc-sa-credentials", "addr", optional: true),
        Sec("CATALYST_KC_REALM", "catalyst-kc-sa-credentials", "realm", optional: true),
        Sec("CATALYST_KC_SA_CLIENT_ID", "catalyst-kc-sa-credentials", "client-id", optional: true),
        Sec("CATALYST_KC_SA_CLIENT_SECRET", "catalyst-kc-sa-credentials", "client-secret", optional: true),
        Val("CATALYST_HANDOVER_JWT_PUBLIC_KEY_PATH", "/etc/catalyst/handover-jwt-public/public.jwk"),
        new("SOVEREIGN_FQDN", Source.ConfigMap, "sovereign-fqdn", "fqdn", Optional: true),
        Val("CATALYST_HANDOVER_KEY_PATH", "/var/lib/catalyst/handover-jwt-private.pem"),
        Sec("CATALYST_KC_CLIENT_ID", "catalyst-magic-link-credentials", "kc-client-id", optional: true),
        Sec("CATALYST_KC_REDIRECT_URI", "catalyst-magic-link-credentials", "kc-redirect-uri", optional: true),
        Sec("CATALYST_SESSION_COOKIE_SECRET", "catalyst-magic-link-credentials", "session-cookie-secret", optional: true),
        Val("CATALYST_POST_AUTH_REDIRECT", "/sovereign/wizard"),
        Sec("CATALYST_OPENOVA_KC_ADDR", "catalyst-openova-kc-credentials", "kc-addr", optional: true),
        Sec("CATALYST_OPENOVA_KC_REALM", "catalyst-openova-kc-credentials", "kc-realm", optional: true),
        Sec("CATALYST_OPENOVA_KC_SA_CLIENT_ID", "catalyst-openova-kc-credentials", "kc-sa-client-id", optional: true),
        Sec("CATALYST_OPENOVA_KC_SA_CLIENT_SECRET", "catalyst-openova-kc-credentials", "kc-sa-client-secret", optional: true),
        Sec("CATALYST_OPENOVA_KC_AUDIENCE", "catalyst-openova-kc-credentials", "kc-audience", optional: true),
        Sec("CATALYST_SMTP_HOST", "catalyst-openova-kc-credentials", "smtp-host", optional: true),
        Sec("CATALYST_SMTP_PORT", "catalyst-openova-kc-credentials", "smtp-port", optional: true),
        Sec("CATALYST_SMTP_USER", "catalyst-openova-kc-credentials", "smtp-user", optional: true),
        Sec("CATALYST_SMTP_PASS", "catalyst-openova-kc-credentials", "smtp-pass", optional: true),
        Sec("CATALYST_SMTP_FROM", "catalyst-openova-kc-credentials", "smtp-from", optional: true),
        Val("CATALYST_SESSION_COOKIE_DOMAIN", "console.openova.io"),
    ];

    /// <summary>shared/seed/api-deployment.yaml when shared/ sits next to the repository (developer machines and CI), else null.</summary>
    public static string? SeedFile()
    {
        for (var dir = new DirectoryInfo(Catalyst.Testing.RepoPaths.Root).Parent; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "seed", "api-deployment.yaml");
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }
}
