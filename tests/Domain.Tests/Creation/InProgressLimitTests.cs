using Catalyst.Domain.Auth;
using Catalyst.Domain.Configuration;
using Catalyst.Domain.Creation;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tests.Creation;

/// <summary>Issue 15: how many deployments one owner may have under way, and which count.</summary>
public class InProgressLimitTests
{
    static InProgressLimit From(string? value, AuthMode mode) => InProgressLimit.From(k => k == InProgressLimit.Setting ? value : null, mode);

    [Fact]
    public void ThreeWithSignInUnlimitedWithout()
    {
        Assert.Equal(3, From(null, AuthMode.Session).Max);
        Assert.Null(From(null, AuthMode.Off).Max);
        // With sign-in off deployments have no owner: nothing to count, whatever the setting says.
        Assert.Null(From("1", AuthMode.Off).Max);
    }

    [Theory]
    [InlineData("5", 5)]
    [InlineData(" 1 ", 1)]
    [InlineData("unlimited", null)]
    [InlineData("Unlimited", null)]
    public void TheSettingIsAPositiveNumberOrUnlimited(string value, int? max) => Assert.Equal(max, From(value, AuthMode.Session).Max);

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("three")]
    [InlineData("2.5")]
    public void AnythingElseStopsTheHostNamingTheSetting(string value) =>
        Assert.Equal(InProgressLimit.Setting, Assert.Throws<SettingException>(() => From(value, AuthMode.Session)).Setting);

    [Theory]
    [InlineData(DeploymentStatuses.Provisioning, true)]
    [InlineData("pending", true)]
    [InlineData("tofu-applying", true)]
    [InlineData("flux-bootstrapping", true)]
    [InlineData(DeploymentStatuses.Phase1Watching, true)]
    [InlineData(DeploymentStatuses.Ready, false)]
    [InlineData(DeploymentStatuses.Failed, false)]
    [InlineData(DeploymentStatuses.Wiped, false)]
    [InlineData(DeploymentStatuses.Adopted, false)]
    public void InFlightAndWatchingCount(string status, bool counts) =>
        Assert.Equal(counts, InProgressLimit.InProgress(TestRecord(status)));

    [Fact]
    public void AnOwnersDeploymentsAreFoundAsTheListFindsThemNeverAsAnOperators()
    {
        var alice = new SessionIdentity("sub-alice", "alice@acme.example", EmailVerified: true, null) { IsOperator = true };
        var owned = InProgressLimit.OwnedBy(alice);
        Assert.True(owned(new OwnerKeys(DeploymentOwner.SubjectKey("sub-alice"), null)));
        Assert.True(owned(new OwnerKeys(null, DeploymentOwner.EmailKey("Alice@acme.example"))));
        // An operator's own count: other tenants' deployments are not theirs.
        Assert.False(owned(new OwnerKeys(DeploymentOwner.SubjectKey("sub-bob"), DeploymentOwner.EmailKey("bob@acme.example"))));
        Assert.False(owned(new OwnerKeys(null, null)));
        // An unverified email matches nothing: it cannot make someone else's deployments count against a user.
        var unverified = InProgressLimit.OwnedBy(new SessionIdentity("sub-eve", "alice@acme.example", EmailVerified: false, null));
        Assert.False(unverified(new OwnerKeys(null, DeploymentOwner.EmailKey("alice@acme.example"))));
    }

    static DeploymentRecord TestRecord(string status) => new()
    {
        Id = "0123456789abcdef", Status = status, Request = new DeploymentRequest(), StartedAt = DateTimeOffset.UnixEpoch, KubeconfigBearerHash = "x",
    };
}
