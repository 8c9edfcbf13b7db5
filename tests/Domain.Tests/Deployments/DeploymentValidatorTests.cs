using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tests.Deployments;

public class DeploymentValidatorTests
{
    static string? Problem(DeploymentRequest request, OperatorSecrets? secrets = null) =>
        DeploymentValidator.Validate(request, secrets ?? TestRequests.Operator())?.Message;

    [Fact]
    public void ValidRequestPasses() => Assert.Null(Problem(TestRequests.Valid()));

    [Theory]
    [InlineData("hetznerToken", "hetzner token is required")]
    [InlineData("hetznerProjectID", "hetzner project ID is required")]
    [InlineData("region", "region is required (runtime parameter, never hardcoded)")]
    [InlineData("sovereignFQDN", "sovereign FQDN is required")]
    [InlineData("orgName", "organisation name is required")]
    [InlineData("orgEmail", "organisation email is required (becomes initial sovereign-admin)")]
    [InlineData("sshPublicKey", "SSH public key is required (sovereign-admin break-glass + cluster bootstrap)")]
    public void RequiredFieldsHaveTheOriginalsMessages(string field, string message)
    {
        var r = TestRequests.Valid();
        r = field switch
        {
            "hetznerToken" => r with { HetznerToken = " " },
            "hetznerProjectID" => r with { HetznerProjectId = "" },
            "region" => r with { Region = "" },
            "sovereignFQDN" => r with { SovereignFqdn = "" },
            "orgName" => r with { OrgName = "" },
            "orgEmail" => r with { OrgEmail = "" },
            _ => r with { SshPublicKey = "" },
        };
        Assert.Equal(message, Problem(r));
    }

    [Fact]
    public void FirstFailureWinsInTheOriginalsOrder()
    {
        var r = TestRequests.Valid() with { HetznerToken = "", OrgName = "", SshPublicKey = "" };
        Assert.Equal("hetzner token is required", Problem(r));
        Assert.Equal("organisation name is required", Problem(r with { HetznerToken = TestRequests.HetznerToken }));
    }

    [Fact]
    public void RegionsAreCheckedFirstAndMirroredIntoTheSingularFields()
    {
        var r = TestRequests.Valid() with
        {
            HetznerToken = "",
            Regions = [new RegionSpec { Provider = "hetzner", CloudRegion = "nbg1", ControlPlaneSize = "cpx32", WorkerCount = 1 }],
        };
        Assert.Equal("region[0] workerSize is required when workerCount > 0", Problem(r));
        Assert.Equal("region[0] provider is required", Problem(r with { Regions = [new RegionSpec()] }));
        Assert.Equal("region[0] workerCount must be non-negative",
            Problem(r with { Regions = [new RegionSpec { Provider = "h", CloudRegion = "x", ControlPlaneSize = "c", WorkerCount = -1 }] }));

        var mirrored = (r with { Region = "", Regions = [r.Regions[0] with { WorkerSize = "cx33" }] }).WithRegionMirrored();
        Assert.Equal(("nbg1", "cpx32", "cx33", 1), (mirrored.Region, mirrored.ControlPlaneSize, mirrored.WorkerSize, mirrored.WorkerCount));
    }

    [Fact]
    public void GhcrTokenIsRequiredInPoolModeOnly()
    {
        var noGhcr = TestRequests.Operator(ghcr: "");
        Assert.StartsWith("GHCR pull token is required for managed-pool deployments", Problem(TestRequests.Valid(), noGhcr));
        var byo = TestRequests.Valid() with { SovereignDomainMode = "byo", SovereignFqdn = "k8s.acme.example" };
        Assert.Null(Problem(byo, noGhcr));
    }

    [Fact]
    public void HarborTokenIsRequiredInEveryMode()
    {
        var byo = TestRequests.Valid() with { SovereignDomainMode = "byo", SovereignFqdn = "k8s.acme.example" };
        Assert.StartsWith("Harbor robot token is required (CATALYST_HARBOR_ROBOT_TOKEN missing", Problem(byo, TestRequests.Operator(harbor: "")));
    }

    [Theory]
    [InlineData("", "object storage region is required (Hetzner Object Storage region: fsn1 | nbg1 | hel1)")]
    [InlineData("ams3", "object storage region \"ams3\" is not a valid Hetzner Object Storage region (must be fsn1, nbg1, or hel1)")]
    public void ObjectStorageRegion(string region, string message) =>
        Assert.Equal(message, Problem(TestRequests.Valid() with { ObjectStorageRegion = region }));

    [Fact]
    public void ObjectStorageCredentialsAndBucket()
    {
        Assert.StartsWith("object storage access key is required", Problem(TestRequests.Valid() with { ObjectStorageAccessKey = "" }));
        Assert.StartsWith("object storage secret key is required", Problem(TestRequests.Valid() with { ObjectStorageSecretKey = "" }));
        Assert.StartsWith("object storage bucket name \"Bad_Bucket\" is not a valid S3 bucket name", Problem(TestRequests.Valid() with { ObjectStorageBucket = "Bad_Bucket" }));
    }

    [Fact]
    public void MissingBucketIsDerivedFromTheFqdn()
    {
        var r = TestRequests.Valid() with { ObjectStorageBucket = "" };
        Assert.Equal("catalyst-acme-omani-works", DeploymentValidator.EffectiveBucket(r));
        Assert.Null(Problem(r));
    }

    [Theory]
    [InlineData("not-a-domain")]
    [InlineData("bad..example.com")]
    public void ShapeChecksRunAfterTheOriginalsRules(string fqdn) =>
        Assert.Contains("is not a valid DNS name", Problem(TestRequests.Valid() with { SovereignDomainMode = "byo", SovereignFqdn = fqdn }));

    [Fact]
    public void PoolModeFqdnMustBeSubdomainDotPool() =>
        Assert.Equal("sovereign FQDN must be acme.omani.works in pool mode", Problem(TestRequests.Valid() with { SovereignFqdn = "other.omani.works" }));

    [Theory]
    [InlineData("short")]
    [InlineData("Hz0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY!")]
    public void HetznerTokenShape(string token) =>
        Assert.StartsWith("hetzner token must be the 64 letters and digits", Problem(TestRequests.Valid() with { HetznerToken = token }));

    [Fact]
    public void OtherShapes()
    {
        Assert.StartsWith("SSH public key must be an OpenSSH public key", Problem(TestRequests.Valid() with { SshPublicKey = "hello" }));
        Assert.StartsWith("control plane size \"huge\"", Problem(TestRequests.Valid() with { ControlPlaneSize = "huge" }));
        Assert.Equal("worker count must be between 0 and 50", Problem(TestRequests.Valid() with { WorkerCount = 51 }));
        Assert.StartsWith("sovereign domain mode \"cloud\"", Problem(TestRequests.Valid() with { SovereignDomainMode = "cloud" }));
        Assert.StartsWith("organisation email \"nobody\"", Problem(TestRequests.Valid() with { OrgEmail = "nobody" }));
    }

    [Fact]
    public void RedactedCopyKeepsNoSecret()
    {
        var redacted = TestRequests.Valid().Redacted();
        Assert.Equal("<redacted>", redacted.HetznerToken);
        Assert.Equal("<redacted>", redacted.ObjectStorageSecretKey);
        Assert.Equal("", (TestRequests.Valid() with { HetznerToken = "" }).Redacted().HetznerToken);
        var json = System.Text.Json.JsonSerializer.Serialize(redacted);
        Assert.DoesNotContain(TestRequests.HetznerToken, json);
        Assert.DoesNotContain("objstore-secret-value-123", json);
    }
}
