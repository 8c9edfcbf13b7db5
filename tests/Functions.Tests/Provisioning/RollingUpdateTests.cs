using Azure.Data.Tables;
using Catalyst.Functions.Orchestrations;
using Catalyst.Testing;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Xunit.Abstractions;

namespace Catalyst.Functions.Tests.Provisioning;

/// <summary>
/// Issue 19: a rolling update runs two code versions on one task hub. Each provision keeps the version it started
/// on; a replica runs instances of its own version or older (CurrentOrOlder) and hands newer ones back (Reject). The
/// version is host.json's <c>defaultVersion</c>, overridden here through the app setting the Functions host reads too.
/// </summary>
public class RollingUpdateTests(ITestOutputHelper output)
{
    const string VersionSetting = "AzureFunctionsJobHost__extensions__durableTask__defaultVersion";
    const string Next = "1.1";

    [Fact]
    public async Task AProvisionStartedOnVersionNFinishesAfterTheHostIsUpgradedToNPlus1MidPhase0()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Kubernetes.Installing(ProvisioningWorld.Kit, TimeSpan.FromMilliseconds(300));
        world.Settings["FAKE_TOFU_HANG_AFTER_CREATES"] = "1"; // Phase 0 stalls mid-apply until the host stops
        world.Settings["CATALYST_SHUTDOWN_DRAIN_TIMEOUT"] = "10s";
        world.Settings[VersionSetting] = OrchestrationVersion.Current;
        await using var versionN = await world.StartAppAsync();
        var id = await world.CreateDeploymentAsync("rolling", b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.rolling.example"; });
        await world.WaitForCreationsAsync(id, 1);
        Assert.Equal(OrchestrationVersion.Current, (await InstanceAsync(world, id))["Version"]);

        // The rollout: the old replica gets SIGTERM mid-apply, the new code takes over the hub.
        versionN.Terminate();
        Assert.True(await versionN.WaitForExitAsync(TimeSpan.FromSeconds(60)), "version N did not stop");
        world.Settings.Remove("FAKE_TOFU_HANG_AFTER_CREATES");
        world.Settings[VersionSetting] = Next;
        await world.StartAppAsync(); // the world stops it

        await world.WaitForStatusAsync(id, "ready", TimeSpan.FromMinutes(3));
        // It finished as the version it started on (the watch's ContinueAsNew generations included)...
        Assert.Equal(OrchestrationVersion.Current, (await InstanceAsync(world, id))["Version"]);
        await Wait.ForAsync(async () => (await InstanceAsync(world, id))["RuntimeStatus"] as string == "Completed" ? "yes" : null,
            TimeSpan.FromSeconds(30), "the orchestration to complete");
        // ...while what the new code starts carries the new version.
        var fresh = await world.CreateDeploymentAsync("rolling2", b => { b["sovereignDomainMode"] = "byo"; b["sovereignFQDN"] = "k8s.rolling2.example"; });
        await Wait.ForAsync(async () => (await InstanceAsync(world, fresh)).TryGetValue("Version", out var v) && (string?)v == Next ? "yes" : null,
            TimeSpan.FromSeconds(30), "the new deployment's instance to carry the new version");
        output.WriteLine($"{id} finished as {OrchestrationVersion.Current} on a {Next} host");
    }

    [Fact]
    public async Task AnOlderReplicaNeverRunsAnInstanceTheNewerCodeStarted()
    {
        await using var world = await ProvisioningWorld.CreateAsync();
        world.Settings[VersionSetting] = OrchestrationVersion.Current;
        var older = await world.StartAppAsync(); // the world stops it
        // An instance a newer replica started (its input does not matter: if anything runs it, it leaves Pending).
        var hub = world.Settings["AzureFunctionsJobHost__extensions__durableTask__hubName"]!;
        var instanceId = "newer-" + Guid.NewGuid().ToString("N")[..8];
        var engine = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = hub,
            StorageAccountClientProvider = new StorageAccountClientProvider(world.Azurite.ConnectionString),
            PartitionCount = 2,
        });
        await new TaskHubClient(engine).CreateOrchestrationInstanceAsync(TaskNames.ProvisionSovereign, Next, instanceId, null);

        // The older replica is handed it again and again and gives it back each time: it stays Pending.
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(12);
        while (DateTimeOffset.UtcNow < until)
        {
            Assert.Equal("Pending", (await InstanceAsync(world, instanceId))["RuntimeStatus"]);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        Assert.Contains("greater than the worker version", older.Output);

        // A replica of the newer version runs it.
        await using var newer = await StartAnotherAsync(world, Next);
        var ran = await Wait.ForAsync(async () => (await InstanceAsync(world, instanceId))["RuntimeStatus"] is string status && status != "Pending" ? status : null,
            TimeSpan.FromSeconds(60), "the newer replica to run the newer instance");
        output.WriteLine($"{instanceId} ({Next}) on the {Next} replica: {ran}");
    }

    static async Task<AppProcess> StartAnotherAsync(ProvisioningWorld world, string version)
    {
        var settings = new Dictionary<string, string?>(world.Settings) { [VersionSetting] = version };
        var app = AppProcess.Start(RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll"), settings);
        await app.WaitHealthyAsync();
        return app;
    }

    static async Task<TableEntity> InstanceAsync(ProvisioningWorld world, string instanceId)
    {
        var hub = world.Settings["AzureFunctionsJobHost__extensions__durableTask__hubName"]!;
        var table = new TableClient(world.Azurite.ConnectionString, hub + "Instances");
        var found = await table.GetEntityIfExistsAsync<TableEntity>(instanceId, "");
        return found.HasValue ? found.Value! : new TableEntity();
    }
}
