using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tests.Deployments;

/// <summary>Issue 15: the postback's bearer is checked from the record alone, and it is spent for good.</summary>
public class KubeconfigPostbackRulesTests
{
    static readonly string Bearer = KubeconfigBearer.New();

    static DeploymentRecord Record(string status = DeploymentStatuses.Phase1Watching, DeploymentResult? result = null, string? hash = null) => new()
    {
        Id = "0123456789abcdef", Status = status, Request = TestRequests.Valid().Redacted(), StartedAt = DateTimeOffset.UnixEpoch,
        KubeconfigBearerHash = hash ?? KubeconfigBearer.Hash(Bearer), Result = result,
    };

    [Fact]
    public void TheBearerIsJudgedFromTheRecordHash()
    {
        Assert.Null(KubeconfigPostback.CheckBearer(Record(), $"Bearer {Bearer}"));
        Assert.Equal("missing-bearer", KubeconfigPostback.CheckBearer(Record(), null)!.Value.Error.Error);
        Assert.Equal("invalid-bearer", KubeconfigPostback.CheckBearer(Record(), "Bearer " + KubeconfigBearer.New())!.Value.Error.Error);
        // A wipe empties the hash: no bearer matches any more.
        Assert.Equal("no-bearer-hash", KubeconfigPostback.CheckBearer(Record(hash: ""), $"Bearer {Bearer}")!.Value.Error.Error);
    }

    [Fact]
    public void APostbackIsTakenOnceAndNeverAfterAWipeOrAFailure()
    {
        Assert.Null(KubeconfigPostback.CheckOpen(Record()));
        Assert.Null(KubeconfigPostback.CheckOpen(Record(DeploymentStatuses.Provisioning)));
        var used = KubeconfigPostback.CheckOpen(Record(result: new DeploymentResult { KubeconfigReceivedAt = DateTimeOffset.UnixEpoch }))!.Value;
        Assert.Equal((403, KubeconfigPostback.AlreadySetError), (used.Status, used.Error.Error));
        foreach (var status in new[] { DeploymentStatuses.Wiping, DeploymentStatuses.Wiped, DeploymentStatuses.Failed })
            Assert.Equal((409, "postback-closed"), KubeconfigPostback.CheckOpen(Record(status)) is { } r ? (r.Status, r.Error.Error) : default);
        // A failed wipe is a failed record with a wipe report: closed too.
        Assert.NotNull(KubeconfigPostback.CheckOpen(Record(DeploymentStatuses.Failed) with { Wipe = new WipeReport() }));
        // #538: the arrival wait gave up without the bearer being used; a late postback restarts the watch.
        Assert.Null(KubeconfigPostback.CheckOpen(Record(DeploymentStatuses.Failed, new DeploymentResult { Phase1Outcome = "kubeconfig-missing" })));
    }

    [Fact]
    public void TheUsedMarkSurvivesRetriesRestartsAndLaterSteps()
    {
        var used = Record(result: new DeploymentResult { KubeconfigReceivedAt = DateTimeOffset.UnixEpoch, Phase1Outcome = "kubeconfig-missing" }) with { Status = DeploymentStatuses.Failed };
        Assert.NotNull(RetryRules.Restart(used, "tofu-apply").Result!.KubeconfigReceivedAt);
        Assert.NotNull(KubeconfigPostback.RestartWatch(used).Result!.KubeconfigReceivedAt);
        var step = new ProgressUpdate
        {
            DeploymentId = used.Id, Run = used.Run, Key = "k", Phase = "tofu", Step = "tofu-output", Progress = 40, Message = "m",
            Result = new DeploymentResult { LoadBalancerIp = "203.0.113.10" },
        };
        Assert.NotNull(step.ApplyTo(used, DateTimeOffset.UnixEpoch)!.Result!.KubeconfigReceivedAt);
    }

    /// <summary>The vault holds a kubeconfig the record does not mention (a host died in between): only the same bytes complete it.</summary>
    [Fact]
    public void AResendCompletesOnlyWithTheSameBytes()
    {
        byte[] body = [1, 2, 3];
        Assert.Null(KubeconfigPostback.CheckResend([1, 2, 3], body));
        Assert.Equal((403, KubeconfigPostback.AlreadySetError), KubeconfigPostback.CheckResend([9], body) is { } other ? (other.Status, other.Error.Error) : default);
        Assert.Equal((403, KubeconfigPostback.AlreadySetError), KubeconfigPostback.CheckResend(null, body) is { } gone ? (gone.Status, gone.Error.Error) : default);
    }

    [Fact]
    public void AnAcceptedPostbackSpendsTheBearerOnTheRecord()
    {
        var at = DateTimeOffset.UnixEpoch.AddDays(1);
        var received = KubeconfigPostback.Received(Record(), at);
        Assert.Equal(at, received.Result!.KubeconfigReceivedAt);
        Assert.Equal(received.Request.SovereignFqdn, received.Result.SovereignFqdn);
        Assert.Equal(KubeconfigPostback.AlreadySetError, KubeconfigPostback.CheckOpen(received)!.Value.Error.Error);
        // An existing result keeps what it had.
        var kept = KubeconfigPostback.Received(Record(result: new DeploymentResult { SovereignFqdn = "x.y", Phase1Outcome = "o" }), at);
        Assert.Equal(("x.y", "o"), (kept.Result!.SovereignFqdn, kept.Result.Phase1Outcome));
    }
}
