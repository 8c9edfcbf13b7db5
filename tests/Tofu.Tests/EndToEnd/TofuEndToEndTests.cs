using System.Net;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Hetzner;
using Catalyst.Domain.Tofu;
using Catalyst.Testing;

namespace Catalyst.Tofu.Tests.EndToEnd;

/// <summary>
/// The real runner driving the fake tofu against the real app's state backend on Azurite: resources are
/// created once however often apply runs, interrupted applies resume, and no secret reaches storage.
/// </summary>
public class TofuEndToEndTests(AppFixture fixture) : IClassFixture<AppFixture>, IDisposable
{
    // network, firewall, ssh key, one control plane, two workers, load balancer
    const int ResourcesWithTwoWorkers = 7;

    readonly TempDir temp = new();

    TofuRunner Runner(string binary) => new(
        new TofuSettings(Path.Combine(RepoPaths.Root, "infra", "hetzner"), temp.File("work"), binary, TimeSpan.FromMinutes(5), fixture.BaseUrl),
        stateLock: null) { InterruptGrace = TimeSpan.FromSeconds(20) };

    string[] Journal(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];

    [Fact]
    public async Task ApplyCreatesEachResourceOnceASecondApplyNothingAndDestroyRemovesThem()
    {
        var id = DeploymentId.New();
        var journal = temp.File("journal");
        var runner = Runner(Samples.FakeTofu(temp, new Dictionary<string, string> { ["FAKE_TOFU_JOURNAL"] = journal }));
        var invocation = Samples.Invocation(id, fixture.Backend(id));
        var log = new RunLog();

        var outputs = await runner.ApplyAsync(invocation, log.OnPhase, log.OnLine, CancellationToken.None);

        var created = Journal(journal);
        Assert.Equal(ResourcesWithTwoWorkers, created.Length);
        Assert.Equal(created.Length, created.Distinct().Count());
        Assert.Contains("created hcloud_server.worker[1]", created);
        Assert.Matches(@"^203\.0\.113\.\d+$", outputs.ControlPlaneIp);
        Assert.Matches(@"^198\.51\.100\.\d+$", outputs.LoadBalancerIp);
        Assert.Equal(["tofu-init", "tofu-plan", "tofu-apply", "tofu-output"], log.Phases.Select(p => p.Name));
        Assert.Contains(log.Lines, l => l is { Command: "apply", Stream: TofuStream.Stdout, Text: "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." });
        Assert.Contains(log.Lines, l => l is { Command: "apply", Stream: TofuStream.Stderr } && l.Text.StartsWith("Warning:", StringComparison.Ordinal));

        var again = await runner.ApplyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);
        Assert.Equal(outputs, again);
        Assert.Equal(ResourcesWithTwoWorkers, Journal(journal).Length);

        await runner.DestroyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);
        var destroyed = Journal(journal).Where(l => l.StartsWith("destroyed ", StringComparison.Ordinal)).ToList();
        Assert.Equal(created.Select(c => c["created ".Length..]).Order(), destroyed.Select(d => d["destroyed ".Length..]).Order());
        var finalState = System.Text.Encoding.UTF8.GetString((await new TofuStateStore(fixture.Blobs, null).ReadStateAsync(id, default))!);
        Assert.DoesNotContain("hcloud_", finalState);

        // No secret of the run reached storage: state, metadata, anything in the container.
        var storage = await fixture.AllTofuStateStorageAsync();
        Assert.Contains(id, storage);
        foreach (var secret in invocation.SecretVariables.Values.Where(v => v.Length > 0)
                     .Append(invocation.Backend.Password).Append(invocation.Backend.EncryptionPassphrase))
            Assert.DoesNotContain(secret, storage);
        Assert.Null(await new TofuStateStore(fixture.Blobs, null).HolderAsync(id, default));
    }

    [Fact]
    public async Task ALockHeldByAnotherRunFailsTheApplyAsTransient()
    {
        var id = DeploymentId.New();
        var runner = Runner(Samples.FakeTofu(temp));
        var invocation = Samples.Invocation(id, fixture.Backend(id));
        var other = Guid.NewGuid().ToString();
        var body = $$"""{"ID":"{{other}}","Operation":"OperationTypeApply","Info":"","Who":"someone@elsewhere","Version":"1.8.0","Created":"2026-01-02T03:04:05Z","Path":""}""";
        using (var locked = await fixture.App.Http.SendAsync(fixture.Request(HttpMethod.Post, $"/api/v1/tofu/state/{id}/lock", id, invocation.Backend.Password, body)))
            Assert.Equal(HttpStatusCode.OK, locked.StatusCode);

        var e = await Assert.ThrowsAsync<TofuException>(() => runner.ApplyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal("tofu plan: exit status 1", e.Message);
        Assert.True(e.Transient);
        Assert.Contains("Error acquiring the state lock", e.Detail);
        Assert.Contains("someone@elsewhere", e.Detail);

        using (var unlocked = await fixture.App.Http.SendAsync(fixture.Request(HttpMethod.Delete, $"/api/v1/tofu/state/{id}/lock", id, invocation.Backend.Password, body)))
            Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
        await runner.ApplyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);
    }

    [Fact]
    public async Task AProviderErrorFailsTheApplyForAPersonToFixAndReleasesTheLock()
    {
        var id = DeploymentId.New();
        var runner = Runner(Samples.FakeTofu(temp, new Dictionary<string, string> { ["FAKE_TOFU_FAIL"] = "apply" }));
        var invocation = Samples.Invocation(id, fixture.Backend(id));

        var e = await Assert.ThrowsAsync<TofuException>(() => runner.ApplyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal(("tofu apply: exit status 1", false), (e.Message, e.Transient));
        Assert.Contains("Error: creating server: token is invalid (unauthorized)", e.Detail);
        Assert.Null(await new TofuStateStore(fixture.Blobs, null).HolderAsync(id, default));
    }

    [Fact]
    public async Task AnInterruptedApplySavesItsProgressAndTheNextRunCreatesOnlyTheRest()
    {
        var id = DeploymentId.New();
        var journal = temp.File("journal");
        var slow = Runner(Samples.FakeTofu(temp, new Dictionary<string, string> { ["FAKE_TOFU_JOURNAL"] = journal, ["FAKE_TOFU_RESOURCE_DELAY_MS"] = "400" }, "slow-tofu"));
        var invocation = Samples.Invocation(id, fixture.Backend(id));
        using var shutdown = new CancellationTokenSource();

        var run = slow.ApplyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, shutdown.Token);
        await Wait.UntilAsync(() => Journal(journal).Length >= 2, TimeSpan.FromSeconds(60), "two resources to be created");
        await shutdown.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        var before = Journal(journal).Length;
        Assert.InRange(before, 2, ResourcesWithTwoWorkers - 1);
        // tofu saved what it created and released its lock on SIGINT, so the next run needs no lease to lapse.
        Assert.Null(await new TofuStateStore(fixture.Blobs, null).HolderAsync(id, default));

        var fast = Runner(Samples.FakeTofu(temp, new Dictionary<string, string> { ["FAKE_TOFU_JOURNAL"] = journal }));
        await fast.ApplyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);

        var created = Journal(journal);
        Assert.Equal(ResourcesWithTwoWorkers, created.Length);
        Assert.Equal(created.Length, created.Distinct().Count());
    }

    [Fact]
    public async Task AnObjectCreatedAtHetznerBeforeACrashIsAdoptedByTheNextApplyNotCreatedAgain()
    {
        var id = DeploymentId.New();
        var journal = temp.File("journal");
        var token = Samples.HcloudToken();
        using var hetzner = new FakeHetzner(token);
        using var http = new HttpClient { BaseAddress = new Uri(hetzner.Url + "/") };
        var sweep = new HetznerSweep(http);
        var reported = new System.Collections.Concurrent.ConcurrentQueue<AdoptionPlan>();
        var invocation = Samples.Invocation(id, fixture.Backend(id), hcloudToken: token) with
        {
            HetznerEndpoint = hetzner.Endpoint,
            Adoption = new TofuAdoptionSource(ct => sweep.ListAsync(id, token, ct), plan =>
            {
                reported.Enqueue(plan);
                return Task.CompletedTask;
            }),
        };
        var killed = Runner(Samples.FakeTofu(temp, new Dictionary<string, string>
        {
            ["FAKE_TOFU_JOURNAL"] = journal, ["FAKE_TOFU_DIE_AFTER_CREATE"] = "hcloud_server.control_plane[0]",
        }, "killed-tofu"));

        await Assert.ThrowsAsync<TofuException>(() => killed.ApplyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal(["created hcloud_network.this", "created hcloud_firewall.nodes", "created hcloud_ssh_key.admin", "created hcloud_server.control_plane[0]"], Journal(journal));
        var server = Assert.Single(hetzner.Objects, o => o.Name == "acme-omani-works-cp-1");
        Assert.Equal(id, server.Labels[TofuContract.OwnerLabel]);
        // The process died holding the state lock; an operator's force-unlock (or the lease running out) frees it.
        var store = new TofuStateStore(fixture.Blobs, null);
        var holder = await store.HolderAsync(id, default);
        Assert.NotNull(holder);
        await store.UnlockAsync(id, holder.Info, default);

        var runner = Runner(Samples.FakeTofu(temp, new Dictionary<string, string> { ["FAKE_TOFU_JOURNAL"] = journal }));
        var log = new RunLog();
        await runner.ApplyAsync(invocation, log.OnPhase, log.OnLine, CancellationToken.None);

        var lines = Journal(journal);
        Assert.Single(lines, l => l == "created hcloud_server.control_plane[0]");
        Assert.Single(lines, l => l == "imported hcloud_server.control_plane[0]");
        Assert.Equal(ResourcesWithTwoWorkers, lines.Count(l => l.StartsWith("created ", StringComparison.Ordinal)));
        Assert.Equal(lines.Length, lines.Distinct().Count());
        Assert.Contains(log.Lines, l => l is { Command: "plan", Text: "# hcloud_server.control_plane[0] will be imported" });
        Assert.Contains(log.Lines, l => l is { Command: "apply", Text: "Apply complete! Resources: 1 imported, 3 added, 0 changed, 0 destroyed." });
        var adopted = Assert.Single(reported.Last().Imports);
        Assert.Equal(("hcloud_server.control_plane[0]", server.Id), (adopted.Address, adopted.Object.Id));
        Assert.Empty(reported.Last().Unmatched);
        Assert.Equal(ResourcesWithTwoWorkers, hetzner.Objects.Count);
        Assert.Equal(ResourcesWithTwoWorkers, hetzner.Objects.Select(o => o.Name).Distinct().Count());

        // The next apply has nothing to adopt; destroy deletes every object at Hetzner, the adopted one included.
        await runner.ApplyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);
        Assert.Empty(reported.Last().Imports);
        Assert.Equal(lines.Length, Journal(journal).Length);
        await runner.DestroyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);
        Assert.Empty(hetzner.Objects);
        Assert.Contains(hetzner.Deleted, o => o.Id == server.Id);
    }

    public void Dispose() => temp.Dispose();
}
