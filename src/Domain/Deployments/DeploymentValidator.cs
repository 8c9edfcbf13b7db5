using System.Text.RegularExpressions;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// The wizard request's rules. The original's rules come first, in its order and with its messages (reference
/// B.4: first failure wins); the shape checks after them keep malformed values from ever reaching tofu.
/// </summary>
public static partial class DeploymentValidator
{
    public static readonly IReadOnlyList<string> ObjectStorageRegions = ["fsn1", "nbg1", "hel1"];

    /// <summary>The most workers a Sovereign may have; with three control-plane nodes the load balancer then takes 53
    /// targets, which lb21 holds (infra/hetzner/main.tf picks the type by target count).</summary>
    public const int MaxWorkers = 50;

    /// <summary>Returns the first problem as (message, field), or null when the request may be provisioned.</summary>
    public static (string Message, string Field)? Validate(DeploymentRequest request, OperatorSecrets operatorSecrets)
    {
        for (var i = 0; i < request.Regions.Count; i++)
        {
            var r = request.Regions[i];
            if (Blank(r.Provider)) return ($"region[{i}] provider is required", $"regions[{i}].provider");
            if (Blank(r.CloudRegion)) return ($"region[{i}] cloudRegion is required", $"regions[{i}].cloudRegion");
            if (Blank(r.ControlPlaneSize))
                return ($"region[{i}] controlPlaneSize is required", $"regions[{i}].controlPlaneSize");
            if (r.WorkerCount < 0)
                return ($"region[{i}] workerCount must be non-negative", $"regions[{i}].workerCount");
            if (r.WorkerCount > 0 && Blank(r.WorkerSize))
                return ($"region[{i}] workerSize is required when workerCount > 0", $"regions[{i}].workerSize");
        }
        request = request.WithRegionMirrored();

        if (Blank(request.HetznerToken)) return ("hetzner token is required", "hetznerToken");
        if (Blank(request.HetznerProjectId)) return ("hetzner project ID is required", "hetznerProjectID");
        if (Blank(request.Region)) return ("region is required (runtime parameter, never hardcoded)", "region");
        if (Blank(request.SovereignFqdn)) return ("sovereign FQDN is required", "sovereignFQDN");
        if (Blank(request.OrgName)) return ("organisation name is required", "orgName");
        if (Blank(request.OrgEmail))
            return ("organisation email is required (becomes initial sovereign-admin)", "orgEmail");
        if (Blank(request.SshPublicKey))
            return ("SSH public key is required (sovereign-admin break-glass + cluster bootstrap)", "sshPublicKey");
        // The seed's operator tokens: refused here, at POST, instead of failing silently mid-apply
        // (CATALYST_GHCR_PULL_TOKEN); Harbor's always (seed #557: docker.io's rate limit makes a fresh Hetzner IP
        // unbootable; mirrored like ghcr-pull, #543).
        if (request.IsPoolMode && Blank(operatorSecrets.GhcrPullToken))
            return ("GHCR pull token is required for managed-pool deployments (CATALYST_GHCR_PULL_TOKEN missing on " +
                "catalyst-api — see docs/SECRET-ROTATION.md)", OperatorSecrets.GhcrPullTokenSetting);
        if (Blank(operatorSecrets.HarborRobotToken))
            return ("Harbor robot token is required (CATALYST_HARBOR_ROBOT_TOKEN missing on catalyst-api — every " +
                "Sovereign image pull MUST go through harbor.openova.io; falling through to docker.io is not allowed)",
                    OperatorSecrets.HarborRobotTokenSetting);

        if (Blank(request.ObjectStorageRegion))
            return ("object storage region is required (Hetzner Object Storage region: fsn1 | nbg1 | hel1)",
                "objectStorageRegion");
        if (!ObjectStorageRegions.Contains(request.ObjectStorageRegion))
            return ($"object storage region \"{request.ObjectStorageRegion}\" is not a valid Hetzner Object Storage " +
                "region (must be fsn1, nbg1, or hel1)", "objectStorageRegion");
        if (Blank(request.ObjectStorageAccessKey))
            return ("object storage access key is required (Hetzner Object Storage credentials: " +
                "Cloud Console → Object Storage → Security credentials)", "objectStorageAccessKey");
        if (Blank(request.ObjectStorageSecretKey))
            return ("object storage secret key is required (Hetzner Object Storage credentials: " +
                "Cloud Console → Object Storage → Security credentials)", "objectStorageSecretKey");
        var bucket = EffectiveBucket(request);
        if (Blank(bucket))
            return ("object storage bucket name is required (the Sovereign's backups and artefacts bucket)",
                "objectStorageBucket");
        if (!BucketName().IsMatch(bucket))
            return ($"object storage bucket name \"{bucket}\" is not a valid S3 bucket name (3-63 characters: " +
                "lower-case letters, digits and hyphens, starting and ending with a letter or digit)",
                    "objectStorageBucket");

        return ShapeProblem(request);
    }

    /// <summary>The bucket the wizard named, else one derived from the
    /// FQDN (the original derived it from the FQDN slug).</summary>
    public static string EffectiveBucket(DeploymentRequest request)
    {
        if (!Blank(request.ObjectStorageBucket)) return request.ObjectStorageBucket.Trim();
        var slug = NonBucketCharacters().Replace(request.SovereignFqdn.Trim().ToLowerInvariant(), "-").Trim('-');
        var name = ("catalyst-" + slug)[..Math.Min(63, ("catalyst-" + slug).Length)].TrimEnd('-');
        return slug.Length == 0 ? "" : name;
    }

    static (string, string)? ShapeProblem(DeploymentRequest request)
    {
        if (!DomainModes.All.Contains(request.SovereignDomainMode.ToLowerInvariant()))
            return ($"sovereign domain mode \"{request.SovereignDomainMode}\" is not one " +
                $"of {string.Join(", ", DomainModes.All)}", "sovereignDomainMode");
        if (!IsFqdn(request.SovereignFqdn))
            return ($"sovereign FQDN \"{request.SovereignFqdn}\" is not a valid DNS name", "sovereignFQDN");
        if (request.IsPoolMode)
        {
            if (Blank(request.SovereignPoolDomain))
                return ("pool domain is required in pool mode", "sovereignPoolDomain");
            if (Blank(request.SovereignSubdomain)) return ("subdomain is required in pool mode", "sovereignSubdomain");
            if (!SubdomainLabel().IsMatch(request.SovereignSubdomain))
                return ("subdomain must be a-z, 0-9 and hyphens, start with a letter, max 63 characters",
                    "sovereignSubdomain");
            var expected = $"{request.SovereignSubdomain}.{request.SovereignPoolDomain}".ToLowerInvariant();
            if (!request.SovereignFqdn.Equals(expected, StringComparison.OrdinalIgnoreCase))
                return ($"sovereign FQDN must be {expected} in pool mode", "sovereignFQDN");
        }
        if (!EmailAddress().IsMatch(request.OrgEmail))
            return ($"organisation email \"{request.OrgEmail}\" is not an email address", "orgEmail");
        if (!ServerType().IsMatch(request.ControlPlaneSize))
            return (
                $"control plane size \"{request.ControlPlaneSize}\" is not a Hetzner server type (e.g. cx23, cpx32)",
                "controlPlaneSize");
        if (request.WorkerCount is < 0 or > MaxWorkers)
            return ($"worker count must be between 0 and {MaxWorkers}", "workerCount");
        if (request.WorkerCount > 0 && !ServerType().IsMatch(request.WorkerSize))
            return ($"worker size \"{request.WorkerSize}\" is not a Hetzner server type (e.g. cx23, cpx32)",
                "workerSize");
        if (!LocationName().IsMatch(request.Region))
            return ($"region \"{request.Region}\" is not a Hetzner location (e.g. fsn1, nbg1, hel1)", "region");
        // The module refuses the same at plan (infra/hetzner/nodes.tf);
        // refusing here keeps a create from failing mid-apply.
        if (HetznerServerTypes.Problem(request.ControlPlaneSize, request.Region) is { } cpSize)
            return ($"control plane size {cpSize}", "controlPlaneSize");
        if (request.WorkerCount > 0 && HetznerServerTypes.Problem(request.WorkerSize, request.Region) is { } workerSize)
            return ($"worker size {workerSize}", "workerSize");
        if (!SshKey().IsMatch(request.SshPublicKey.Trim()))
            return ("SSH public key must be an OpenSSH public key (ssh-ed25519, ssh-rsa or ecdsa-sha2-*)",
                "sshPublicKey");
        if (!HetznerToken().IsMatch(request.HetznerToken))
            return ("hetzner token must be the 64 letters and digits Hetzner Cloud issues (Project → Security → API " +
                "tokens)", "hetznerToken");
        return null;
    }

    /// <summary>
    /// Why an SSH source (infra/hetzner's ssh_allowed_cidrs) would be refused, or null. The rule is the hcloud
    /// provider's (internal/firewall/validation.go): a bare address is one host (/32, /128), and a block must not have
    /// host bits set (203.0.113.7/24 fails at plan). The address must also be in the form the API writes back, so the
    /// module and the app accept exactly the same strings.
    /// </summary>
    public static string? SshSourceProblem(string value)
    {
        var slash = value.IndexOf('/');
        var address = slash < 0 ? value : value[..slash];
        if (!System.Net.IPAddress.TryParse(address, out var ip) || ip.ToString() != address || address.Contains('%'))
            return $"\"{value}\" is not an IP address or CIDR block";
        var width = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        var prefix = width;
        if (slash >= 0
            && (!int.TryParse(value[(slash + 1)..], System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > width))
            return $"\"{value}\" has no valid prefix length";
        var bytes = ip.GetAddressBytes();
        for (var bit = prefix; bit < width; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        var network = new System.Net.IPAddress(bytes);
        return network.Equals(ip) ? null : $"\"{value}\" has host bits set; write it as {network}/{prefix}";
    }

    public static bool IsFqdn(string value) =>
        value.Length is > 3 and <= 253 && value.Split('.') is { Length: >= 2 } labels
            && labels.All(l => DnsLabel().IsMatch(l));

    static bool Blank(string? value) => string.IsNullOrWhiteSpace(value);

    [GeneratedRegex("^[A-Za-z0-9]{64}$")] private static partial Regex HetznerToken();
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")] private static partial Regex BucketName();
    [GeneratedRegex("[^a-z0-9-]+")] private static partial Regex NonBucketCharacters();
    [GeneratedRegex("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")] private static partial Regex SubdomainLabel();
    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")] private static partial Regex DnsLabel();
    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")] private static partial Regex EmailAddress();
    [GeneratedRegex("^[a-z]{2,4}[0-9]{1,3}[a-z]*$")] private static partial Regex ServerType();
    [GeneratedRegex("^[a-z]{3}[0-9]?$")] private static partial Regex LocationName();
    [GeneratedRegex(@"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]{16,}( .*)?$")]
    private static partial Regex SshKey();
}
