using Catalyst.Domain.Configuration;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tests.Deployments;

/// <summary>POST .../wipe's decision: when a wipe starts, and the record as it starts.</summary>
public class WipeRulesTests
{
    static DeploymentRecord Record(string status) => new()
    {
        Id = "0123456789abcdef", Status = status, Request = TestRequests.Valid().Redacted(), StartedAt = DateTimeOffset.UnixEpoch, Run = 2,
        Phase = "phase1", Step = "watching", Progress = 80, FinishedAt = DateTimeOffset.UnixEpoch, Error = "boom",
        Failure = new DeploymentFailure("tofu-failed", "tofu", "catalyst"), KubeconfigBearerHash = "hash",
    };

    [Theory]
    [InlineData(DeploymentStatuses.Phase1Watching)]
    [InlineData(DeploymentStatuses.Failed)]
    [InlineData(DeploymentStatuses.Ready)]
    public void AWipeStartsANewRunAndEndsThePostbackForGood(string status)
    {
        var started = WipeRules.Start(Record(status))!;
        Assert.Equal((DeploymentStatuses.Wiping, "wipe", "queued", 0, 3), (started.Status, started.Phase, started.Step, started.Progress, started.Run));
        Assert.Null(started.FinishedAt);
        Assert.Null(started.Error);
        Assert.Null(started.Failure);
        // Issue 15: no hash, so no bearer matches any more.
        Assert.Equal("", started.KubeconfigBearerHash);
    }

    [Theory]
    [InlineData(DeploymentStatuses.Wiping)]
    [InlineData(DeploymentStatuses.Wiped)]
    public void AWipeRunningOrDoneIsNotStartedAgain(string status)
    {
        Assert.True(WipeRules.AlreadyWiping(Record(status)));
        Assert.Null(WipeRules.Start(Record(status)));
    }

    [Fact]
    public void TheWaitDefaultsToTwentySecondsAndRefusesNonsense()
    {
        Assert.Equal(TimeSpan.FromSeconds(20), WipeSettings.From(_ => null).Wait);
        Assert.Equal(TimeSpan.FromSeconds(5), WipeSettings.From(_ => "5s").Wait);
        Assert.Equal(WipeSettings.WaitSetting, Assert.Throws<SettingException>(() => WipeSettings.From(_ => "later")).Setting);
    }
}
