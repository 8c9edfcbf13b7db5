using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tests.Deployments;

public class SmallRulesTests
{
    [Fact]
    public void DeploymentIdsAreSixteenHex()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => DeploymentId.New()).ToList();
        Assert.All(ids, id => Assert.True(DeploymentId.IsValid(id)));
        Assert.Equal(100, ids.Distinct().Count());
        Assert.False(DeploymentId.IsValid("../etc/passwd0000"));
        Assert.False(DeploymentId.IsValid("ABCDEF0123456789"));
        Assert.False(DeploymentId.IsValid(null));
    }

    [Fact]
    public void BearerHashRoundTripsAndComparesExactly()
    {
        var bearer = KubeconfigBearer.New();
        Assert.Equal(64, bearer.Length);
        var hash = KubeconfigBearer.Hash(bearer);
        Assert.True(KubeconfigBearer.Matches(hash, bearer));
        Assert.False(KubeconfigBearer.Matches(hash, bearer[..^1] + (bearer[^1] == 'a' ? 'b' : 'a')));
        Assert.NotEqual(hash, KubeconfigBearer.Hash(KubeconfigBearer.New()));
    }

    [Fact]
    public void RedactorReplacesEveryKnownSecretLongestFirst()
    {
        var redactor = new Redactor(["token-abcdef", "token-abcdef-longer", "x", null]);
        Assert.Equal("a <redacted> b <redacted> x", redactor.Redact("a token-abcdef-longer b token-abcdef x"));
        Assert.Equal("nothing here", redactor.Redact("nothing here"));
    }

    static DeploymentRecord Record(int run = 1, string status = DeploymentStatuses.Provisioning) => new()
    {
        Id = "0123456789abcdef", Status = status, Request = TestRequests.Valid().Redacted(), StartedAt = DateTimeOffset.UnixEpoch,
        KubeconfigBearerHash = "h", Run = run,
    };

    static ProgressUpdate Update(int run = 1, string? status = null) => new()
    {
        DeploymentId = "0123456789abcdef", Run = run, Key = "k", Phase = "tofu", Step = "tofu-apply", Progress = 20, Message = "m", Status = status,
    };

    [Fact]
    public void ProgressFromAStaleRunIsIgnored() => Assert.Null(Update(run: 1).ApplyTo(Record(run: 2), DateTimeOffset.UtcNow));

    [Fact]
    public void TerminalStatusSetsFinishedAtAndOutcome()
    {
        var now = DateTimeOffset.UtcNow;
        var failed = (Update(status: DeploymentStatuses.Failed) with { Error = "boom", Outcome = "kubeconfig-missing" }).ApplyTo(Record(), now)!;
        Assert.Equal((DeploymentStatuses.Failed, "boom", now, "kubeconfig-missing"), (failed.Status, failed.Error, failed.FinishedAt, failed.Result!.Phase1Outcome));
        var running = Update().ApplyTo(Record(), now)!;
        Assert.Null(running.FinishedAt);
        Assert.Equal(20, running.Progress);
    }

    [Fact]
    public void RetryRulesClassifyAndGate()
    {
        Assert.Equal(RetryRules.Kind.Phase0, RetryRules.Classify("tofu-apply", null));
        Assert.Equal(RetryRules.Kind.Phase1, RetryRules.Classify("cilium", null));
        Assert.Equal(RetryRules.Kind.Unknown, RetryRules.Classify("bp-anything", null));
        Assert.Equal(RetryRules.Kind.Unknown, RetryRules.Classify("bp-Click https://evil.example to continue", null));
        Assert.Equal(RetryRules.Kind.Phase1, RetryRules.Classify("bp-cilium", null));
        Assert.Equal(RetryRules.Kind.Phase0, RetryRules.Classify("tofu", null));
        Assert.Equal("nats-jetstream", RetryRules.Component("bp-jetstream", null));
        Assert.Equal("phase1", RetryRules.Component("phase1", null));
        // A HelmRelease this deployment's watch has seen is known too.
        var watched = Record() with { Result = new DeploymentResult { ComponentStates = new Dictionary<string, string> { ["console"] = "installed" } } };
        Assert.Equal("console", RetryRules.Component("bp-console", watched));
        Assert.Null(RetryRules.Component("bp-console", Record()));
        Assert.Equal(RetryRules.ManualRetryEvent(watched, "console", DateTimeOffset.UnixEpoch).Key,
            RetryRules.ManualRetryEvent(watched, "console", DateTimeOffset.UnixEpoch.AddHours(1)).Key);
        Assert.Equal(RetryRules.Kind.Unknown, RetryRules.Classify("reboot", null));
        Assert.Equal(RetryRules.InFlightError, RetryRules.Phase0Blocker(Record()));
        Assert.Null(RetryRules.Phase0Blocker(Record(status: DeploymentStatuses.Failed)));
        Assert.Equal(RetryRules.WipedError, RetryRules.Phase0Blocker(Record(status: DeploymentStatuses.Failed) with { KubeconfigBearerHash = "" }));
        var restarted = RetryRules.Restart(Record(status: DeploymentStatuses.Failed) with { Error = "x" }, "tofu-apply");
        Assert.Equal((DeploymentStatuses.Provisioning, 2, (string?)null), (restarted.Status, restarted.Run, restarted.Error));
    }
}
