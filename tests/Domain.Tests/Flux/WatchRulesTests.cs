using Catalyst.Domain.Flux;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Flux;

public class WatchRulesTests
{
    static HelmReleaseSnapshot Hr(string name, string? status, string? reason = null, string? message = null) => new(name, status, reason, message);
    static readonly WatchSettings Settings = new(TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(15), 1, TimeSpan.FromSeconds(10));
    static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(null, null, null, "pending")]
    [InlineData("True", null, null, "installed")]
    [InlineData("Unknown", null, null, "installing")]
    [InlineData("False", "InstallFailed", null, "failed")]
    [InlineData("False", "UpgradeFailed", null, "failed")]
    [InlineData("False", "ChartPullError", null, "failed")]
    [InlineData("False", "ArtifactFailed", "dependency 'x' is not ready", "pending")]
    [InlineData("False", "Progressing", null, "installing")]
    [InlineData("False", "DependencyNotReady", null, "installing")]
    [InlineData("False", "SomethingElse", null, "degraded")]
    public void DeriveState(string? status, string? reason, string? message, string expected) =>
        Assert.Equal(expected, ComponentStates.Derive(Hr("bp-x", status, reason, message)));

    /// <summary>HasSynced was EverListed: registry entries keep the old JSON name, so entries written before still read.</summary>
    [Fact]
    public void HasSyncedKeepsItsStoredName()
    {
        var json = System.Text.Json.JsonSerializerOptions.Web;
        var written = System.Text.Json.JsonSerializer.Serialize(new WatchState { StartedAt = T0, HasSynced = true }, json);
        Assert.Contains("\"everListed\":true", written, StringComparison.Ordinal);
        var old = System.Text.Json.JsonSerializer.Deserialize<WatchState>("{\"startedAt\":\"2026-01-01T00:00:00Z\",\"everListed\":true}", json);
        Assert.True(old!.HasSynced);
    }

    [Fact]
    public void ComponentIdStripsThePrefix() => Assert.Equal("cilium", ComponentStates.ComponentId("bp-cilium"));

    [Fact]
    public void OnlyTransitionsOfBlueprintsAreReported()
    {
        var state = new WatchState { StartedAt = T0 };
        var (s1, t1) = state.Observe([Hr("bp-cilium", null), Hr("podinfo", "True")]);
        Assert.Equal([("cilium", "pending", 0)], t1.Select(t => (t.Component, t.State, t.Index)));
        var (s2, t2) = s1.Observe([Hr("bp-cilium", null)]);
        Assert.Empty(t2);
        var (s3, t3) = s2.Observe([Hr("bp-cilium", "True")]);
        Assert.Equal([("cilium", "installed", 1)], t3.Select(t => (t.Component, t.State, t.Index)));
        Assert.Equal("Helm install complete; Ready=True", t3[0].Message);
        Assert.True(s3.GatePasses(Settings));
    }

    [Fact]
    public void GateNeedsAListingOneReleaseTheMinimumAndAllTerminal()
    {
        var empty = new WatchState { StartedAt = T0 };
        Assert.False(empty.GatePasses(Settings));
        Assert.False(empty.Observe([]).Next.GatePasses(Settings));
        var installing = empty.Observe([Hr("bp-a", "True"), Hr("bp-b", "Unknown")]).Next;
        Assert.False(installing.GatePasses(Settings));
        var done = installing.Observe([Hr("bp-a", "True"), Hr("bp-b", "False", "InstallFailed")]).Next;
        Assert.True(done.GatePasses(Settings));
        Assert.False(done.GatePasses(Settings with { MinBootstrapKitHrs = 3 }));
        Assert.Equal((WatchOutcomes.Failed, "failed"), (done.Conclude(true).Outcome, done.Conclude(true).Status));
        Assert.Equal(WatchOutcomes.FailedMessage(1), done.Conclude(true).Error);
    }

    [Fact]
    public void OutcomesOnTimeout()
    {
        var none = new WatchState { StartedAt = T0 }.Observe([]).Next;
        Assert.Equal((WatchOutcomes.FluxNotReconciling, "failed"), (none.Conclude(false).Outcome, none.Conclude(false).Status));
        var partial = none.Observe([Hr("bp-a", "Unknown")]).Next;
        Assert.Equal((WatchOutcomes.Timeout, "ready"), (partial.Conclude(false).Outcome, partial.Conclude(false).Status));
        var broken = none.Observe([Hr("bp-a", "False", "InstallFailed")]).Next;
        Assert.Equal((WatchOutcomes.Timeout, "failed"), (broken.Conclude(false).Outcome, broken.Conclude(false).Status));
        Assert.True(none.TimedOut(T0 + TimeSpan.FromMinutes(60), Settings));
        Assert.False(none.TimedOut(T0 + TimeSpan.FromMinutes(59), Settings));
    }

    [Fact]
    public void FirstSeenWarningOnlyWithNothingSeenAndOnce()
    {
        var none = new WatchState { StartedAt = T0 };
        Assert.False(none.FirstSeenOverdue(T0 + TimeSpan.FromMinutes(14), Settings));
        Assert.True(none.FirstSeenOverdue(T0 + TimeSpan.FromMinutes(15), Settings));
        Assert.False((none with { FirstSeenWarned = true }).FirstSeenOverdue(T0 + TimeSpan.FromMinutes(30), Settings));
        Assert.False(none.Observe([Hr("bp-a", null)]).Next.FirstSeenOverdue(T0 + TimeSpan.FromMinutes(30), Settings));
    }

    [Fact]
    public async Task ReaderListsTheFakeClustersReleasesWithTheKubernetesClient()
    {
        await using var api = await FakeHelmReleaseApi.StartAsync();
        api.With("bp-cilium", new FakeHelmReleaseApi.Step(TimeSpan.Zero, "False", "InstallFailed", "boom"))
           .With("bp-flux", new FakeHelmReleaseApi.Step(TimeSpan.Zero, null));
        var listing = await new HelmReleaseReader().ListAsync(System.Text.Encoding.UTF8.GetBytes(api.Kubeconfig()), CancellationToken.None);

        var listed = Assert.IsType<HelmReleaseReader.Listed>(listing);
        Assert.Equal([("bp-cilium", "False", "InstallFailed", "boom"), ("bp-flux", null, null, null)],
            listed.Releases.Select(r => (r.Name, r.ReadyStatus, r.Reason, r.Message)));
    }

    [Fact]
    public async Task ReaderTellsUnusableFromUnreachable()
    {
        var reader = new HelmReleaseReader();
        Assert.IsType<HelmReleaseReader.Unusable>(await reader.ListAsync("not: [a kubeconfig"u8.ToArray(), CancellationToken.None));
        var nobody = $"apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:{FreePort.Next()}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n";
        Assert.IsType<HelmReleaseReader.Unreachable>(await reader.ListAsync(System.Text.Encoding.UTF8.GetBytes(nobody), CancellationToken.None));
    }
}
