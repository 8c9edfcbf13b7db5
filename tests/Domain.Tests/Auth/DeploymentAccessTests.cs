using Catalyst.Domain.Auth;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tests.Auth;

/// <summary>Who may act on a deployment (issue 14), and which routes that rule covers.</summary>
public class DeploymentAccessTests
{
    static readonly DeploymentOwner Alice = new("alice-sub", "Alice@Tenant.example");

    static SessionIdentity Caller(string sub, string email, bool verified = true, bool op = false) => new(sub, email, verified, null) { IsOperator = op };

    [Fact]
    public void TheOwnerBySubjectOrVerifiedEmailAndOperatorsMayEveryoneElseMayNot()
    {
        Assert.True(DeploymentAccess.Allows(AuthMode.Session, Caller("alice-sub", "other@x.example"), Alice));
        Assert.True(DeploymentAccess.Allows(AuthMode.Session, Caller("kc-uuid", "alice@tenant.example"), Alice));
        Assert.False(DeploymentAccess.Allows(AuthMode.Session, Caller("kc-uuid", "alice@tenant.example", verified: false), Alice));
        Assert.False(DeploymentAccess.Allows(AuthMode.Session, Caller("mallory", "mallory@x.example"), Alice));
        Assert.False(DeploymentAccess.Allows(AuthMode.Session, Caller("", ""), new DeploymentOwner("", "")));
        Assert.True(DeploymentAccess.Allows(AuthMode.Session, Caller("ops", "ops@x.example", op: true), Alice));
        // A record with no owner (created with sign-in off, or before owners) is for operators only.
        Assert.False(DeploymentAccess.Allows(AuthMode.Session, Caller("alice-sub", "alice@tenant.example"), (DeploymentOwner?)null));
        Assert.True(DeploymentAccess.Allows(AuthMode.Session, Caller("ops", "ops@x.example", op: true), (DeploymentOwner?)null));
        Assert.False(DeploymentAccess.Allows(AuthMode.Session, null, Alice));
        // Off: the API is open by the operator's explicit choice.
        Assert.True(DeploymentAccess.Allows(AuthMode.Off, null, Alice));
    }

    [Fact]
    public void TheListRuleOverOwnerKeysAgreesWithTheRecordRule()
    {
        var keys = new OwnerKeys(Alice.Metadata()[DeploymentOwner.SubjectMetadata], Alice.Metadata()[DeploymentOwner.EmailMetadata]);
        Assert.DoesNotContain("alice", string.Join(",", Alice.Metadata().Values), StringComparison.OrdinalIgnoreCase);
        foreach (var caller in new[] { Caller("alice-sub", "x@y"), Caller("k", "ALICE@tenant.example"), Caller("k", "alice@tenant.example", verified: false),
                     Caller("m", "m@x"), Caller("ops", "o@x", op: true) })
            Assert.Equal(DeploymentAccess.Allows(AuthMode.Session, caller, Alice), DeploymentAccess.Allows(AuthMode.Session, caller, keys));
        Assert.False(DeploymentAccess.Allows(AuthMode.Session, Caller("alice-sub", "alice@tenant.example"), new OwnerKeys(null, null)));
    }

    [Theory]
    [InlineData("/api/v1/deployments/0123456789abcdef", "Deployment", "0123456789abcdef")]
    [InlineData("/API/V1/Deployments/0123456789abcdef/wipe", "Deployment", "0123456789abcdef")]
    [InlineData("/api/v1/deployments/0123456789abcdef/phases/bp-x/retry", "Deployment", "0123456789abcdef")]
    [InlineData("/api/v1/sovereigns/primary/k8s/pod", "Sovereign", "primary")]
    [InlineData("/api/v1/deployments", null, null)]
    [InlineData("/api/v1/deployments/", null, null)]
    [InlineData("/api/v1/tofu/state/0123456789abcdef", null, null)]
    [InlineData("/api/v2/deployments/0123456789abcdef", null, null)]
    public void PerDeploymentRoutesAreRecognisedBySegment(string path, string? kind, string? id)
    {
        var route = DeploymentRoutes.Parse(path);
        Assert.Equal(kind, route?.Kind.ToString());
        Assert.Equal(id, route?.Id);
    }

    [Theory]
    [InlineData("X-Forwarded-User", true)]
    [InlineData("x-forwarded-email", true)]
    [InlineData("X-Auth-Request-Email", true)]
    [InlineData("X-Auth-Request-Groups", true)]
    [InlineData("X-User-Sub", true)]
    [InlineData("Remote-User", true)]
    [InlineData("X-Forwarded-Proto", false)]
    [InlineData("X-Forwarded-For", false)]
    [InlineData("Authorization", false)]
    public void HeadersThatClaimAnIdentityAreKnown(string header, bool claims) => Assert.Equal(claims, IdentityHeaders.ClaimsIdentity(header));
}
