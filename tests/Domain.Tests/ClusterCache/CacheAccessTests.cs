using Catalyst.Domain.Auth;
using Catalyst.Domain.ClusterCache;
using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Tests.ClusterCache;

public class CacheAccessTests
{
    static readonly SessionIdentity Alice = new("sub-alice", "alice@acme.example", EmailVerified: true, "alice");
    static readonly ClusterCacheOptions Defaults = ClusterCacheOptions.From(_ => null);

    [Fact]
    public void WithoutASessionThereIsNoDataInSessionMode()
    {
        var refused = Assert.IsType<CacheAccess.Refused>(CacheAccess.Decide(AuthMode.Session, null, Defaults));
        Assert.Equal((401, "unauthenticated"), (refused.Status, refused.Error));
    }

    [Fact]
    public void OffModeHasNoIdentityAndNoReview()
    {
        Assert.IsType<CacheAccess.Open>(CacheAccess.Decide(AuthMode.Off, null, Defaults));
        Assert.IsType<CacheAccess.Open>(CacheAccess.Decide(AuthMode.Off, Alice, Defaults));
    }

    [Fact]
    public void OperatorsAreNotReviewed() =>
        Assert.IsType<CacheAccess.Operator>(CacheAccess.Decide(AuthMode.Session, Alice with { IsOperator = true }, Defaults));

    [Fact]
    public void TheReviewNamesTheSessionUserByTheConfiguredClaimAndPrefix()
    {
        Assert.Equal(new CacheAccess.Reviewed("alice@acme.example"), CacheAccess.Decide(AuthMode.Session, Alice, Defaults));
        Assert.Equal(SarUserClaim.Email, Defaults.SarUserClaim);
        Assert.Equal("", Defaults.SarUserPrefix);

        ClusterCacheOptions Options(string claim) => ClusterCacheOptions.From(k => k switch
        {
            "CATALYST_K8SCACHE_SAR_USER_CLAIM" => claim, "CATALYST_K8SCACHE_SAR_USER_PREFIX" => "oidc:", _ => null,
        });
        Assert.Equal(new CacheAccess.Reviewed("oidc:alice@acme.example"), CacheAccess.Decide(AuthMode.Session, Alice, Options("email")));
        Assert.Equal(new CacheAccess.Reviewed("oidc:sub-alice"), CacheAccess.Decide(AuthMode.Session, Alice, Options("sub")));
        Assert.Equal(new CacheAccess.Reviewed("oidc:alice"), CacheAccess.Decide(AuthMode.Session, Alice, Options("PREFERRED_USERNAME")));
    }

    [Fact]
    public void ASessionWithoutTheClaimGetsNothing()
    {
        // As kube-apiserver, an email that is not verified does not name a user.
        var unverified = Assert.IsType<CacheAccess.Refused>(CacheAccess.Decide(AuthMode.Session, Alice with { EmailVerified = false }, Defaults));
        Assert.Equal((403, "forbidden"), (unverified.Status, unverified.Error));
        Assert.IsType<CacheAccess.Refused>(CacheAccess.Decide(AuthMode.Session, Alice with { Email = "" }, Defaults));
        var byUsername = ClusterCacheOptions.From(k => k == "CATALYST_K8SCACHE_SAR_USER_CLAIM" ? "preferred_username" : null);
        Assert.IsType<CacheAccess.Refused>(CacheAccess.Decide(AuthMode.Session, Alice with { PreferredUsername = null }, byUsername));
    }

    [Fact]
    public void SettingsAreCheckedAtStart()
    {
        Assert.Equal("CATALYST_K8SCACHE_SAR_USER_CLAIM",
            Assert.Throws<SettingException>(() => ClusterCacheOptions.From(k => k == "CATALYST_K8SCACHE_SAR_USER_CLAIM" ? "groups" : null)).Setting);
        Assert.Empty(Defaults.UnredactedKinds);
        Assert.Equal(["deployment", "pod"],
            ClusterCacheOptions.From(k => k == "CATALYST_K8SCACHE_UNREDACTED_KINDS" ? "Pod, deployment" : null).UnredactedKinds.Order(StringComparer.Ordinal));
    }
}
