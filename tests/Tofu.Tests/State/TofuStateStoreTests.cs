using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Tofu;
using Catalyst.Testing;

namespace Catalyst.Tofu.Tests.State;

/// <summary>The state backend's storage on Azurite: the lock is a finite blob lease, state writes need it.</summary>
public class TofuStateStoreTests
{
    static async Task<(TofuStateStore Store, BlobServiceClient Blobs, RecordingEvents Events)> StoreAsync(TimeSpan? lease = null)
    {
        var blobs = new BlobServiceClient((await AzuriteServer.Shared).ConnectionString);
        var events = new RecordingEvents();
        return (new TofuStateStore(blobs, events, lease, hostName: "replica-a"), blobs, events);
    }

    static TofuLockInfo Lock(string who = "nonroot@pod-a", string operation = "OperationTypeApply")
    {
        var id = Guid.NewGuid().ToString();
        var body = $$"""{"ID":"{{id}}","Operation":"{{operation}}","Info":"","Who":"{{who}}","Version":"1.8.0","Created":"2026-01-02T03:04:05.123456789Z","Path":""}""";
        Assert.True(TofuLockInfo.TryParse(Encoding.UTF8.GetBytes(body), out var info));
        return info!;
    }

    static BlobClient StateBlob(BlobServiceClient blobs, string id) =>
        blobs.GetBlobContainerClient(TofuStateStore.ContainerName).GetBlobClient(TofuStateStore.BlobName(id));

    [Fact]
    public async Task ASecondLockerGetsTheHoldersLockInfoUntilTheHolderUnlocks()
    {
        var (store, _, events) = await StoreAsync();
        var id = DeploymentId.New();
        var (a, b) = (Lock("a@one"), Lock("b@two"));

        Assert.Equal(TofuLockOutcome.Done, (await store.LockAsync(id, a, default)).Outcome);
        Assert.Equal(TofuLockOutcome.Done, (await store.LockAsync(id, a, default)).Outcome);
        var refused = await store.LockAsync(id, b, default);
        Assert.Equal(TofuLockOutcome.HeldByOther, refused.Outcome);
        Assert.Equal(a.Raw, refused.Holder!.Raw);

        var wrongUnlock = await store.UnlockAsync(id, b, default);
        Assert.Equal((TofuLockOutcome.HeldByOther, a.Id), (wrongUnlock.Outcome, wrongUnlock.Holder!.Id));
        Assert.Equal(TofuLockOutcome.Done, (await store.UnlockAsync(id, a, default)).Outcome);
        Assert.Null(await store.HolderAsync(id, default));
        Assert.Equal(TofuLockOutcome.Done, (await store.LockAsync(id, b, default)).Outcome);
        // A clean unlock then a new lock is no takeover.
        Assert.Empty(events.Recorded);
    }

    [Fact]
    public async Task TheHolderIsRecordedInTheBlobsMetadata()
    {
        var (store, blobs, _) = await StoreAsync();
        var id = DeploymentId.New();
        var a = Lock();
        await store.LockAsync(id, a, default);

        var holder = await store.HolderAsync(id, default);
        Assert.Equal((a.Id, "replica-a"), (holder!.Info.Id, holder.Host));
        Assert.True(DateTimeOffset.UtcNow - DateTimeOffset.Parse(holder.Since) < TimeSpan.FromMinutes(1));
        var properties = (await StateBlob(blobs, id).GetPropertiesAsync()).Value;
        Assert.Equal((LeaseState.Leased, LeaseDurationType.Fixed), (properties.LeaseState, properties.LeaseDuration));
        Assert.Equal(id, properties.Metadata["deployment"]);
    }

    [Fact]
    public async Task StateWritesNeedTheLockAndKeepTheHolder()
    {
        var (store, _, _) = await StoreAsync();
        var id = DeploymentId.New();
        var (a, b) = (Lock(), Lock());
        Assert.Null(await store.ReadStateAsync(id, default));
        await store.LockAsync(id, a, default);
        // The lock's empty blob is still "no state".
        Assert.Null(await store.ReadStateAsync(id, default));

        Assert.Equal(TofuLockOutcome.NotLocked, (await store.WriteStateAsync(id, null, BinaryData.FromString("{\"serial\":1}"), default)).Outcome);
        Assert.Equal(TofuLockOutcome.HeldByOther, (await store.WriteStateAsync(id, b.Id, BinaryData.FromString("{\"serial\":1}"), default)).Outcome);
        Assert.Equal(TofuLockOutcome.Done, (await store.WriteStateAsync(id, a.Id, BinaryData.FromString("{\"serial\":2}"), default)).Outcome);

        Assert.Equal("{\"serial\":2}", Encoding.UTF8.GetString((await store.ReadStateAsync(id, default))!));
        Assert.Equal(a.Id, (await store.HolderAsync(id, default))!.Info.Id);

        await store.UnlockAsync(id, a, default);
        Assert.Equal(TofuLockOutcome.HeldByOther, (await store.WriteStateAsync(id, a.Id, BinaryData.FromString("{\"serial\":3}"), default)).Outcome);
        Assert.Equal("{\"serial\":2}", Encoding.UTF8.GetString((await store.ReadStateAsync(id, default))!));
    }

    [Fact]
    public async Task ALapsedLockIsTakenOverAndTheTakeoverRecordedOnce()
    {
        var (store, blobs, events) = await StoreAsync();
        var id = DeploymentId.New();
        var (dead, next) = (Lock("nonroot@dead-pod"), Lock("nonroot@live-pod"));
        await store.LockAsync(id, dead, default);

        // The holder's process died: nobody renews, the lease ends (break = expiry without waiting 60 s).
        await StateBlob(blobs, id).GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);

        Assert.Equal(TofuLockOutcome.Done, (await store.LockAsync(id, next, default)).Outcome);
        Assert.Equal(TofuLockOutcome.Done, (await store.LockAsync(id, next, default)).Outcome);

        var (deployment, recorded) = Assert.Single(events.Recorded);
        Assert.Equal(id, deployment);
        Assert.Equal(($"tofu-lock-takeover:{dead.Id}", "tofu", EventLevels.Warn), (recorded.Key, recorded.Phase, recorded.Level));
        Assert.Contains("nonroot@dead-pod", recorded.Message);
        Assert.Contains("since", recorded.Message);
        Assert.Equal(next.Id, (await store.HolderAsync(id, default))!.Info.Id);
        Assert.Equal(TofuLockOutcome.HeldByOther, (await store.WriteStateAsync(id, dead.Id, BinaryData.FromString("{}"), default)).Outcome);
    }

    [Fact]
    public async Task ATakeoverThatCannotBeRecordedDoesNotHappen()
    {
        var (store, blobs, events) = await StoreAsync();
        var id = DeploymentId.New();
        var (dead, next) = (Lock(), Lock());
        await store.LockAsync(id, dead, default);
        await StateBlob(blobs, id).GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);

        events.FailWith = new IOException("events store down");
        await Assert.ThrowsAsync<IOException>(() => store.LockAsync(id, next, default));
        events.FailWith = null;

        // Nothing was left held, and the retry records the takeover it could not record before.
        Assert.Equal(TofuLockOutcome.Done, (await store.LockAsync(id, Lock(), default)).Outcome);
        Assert.Equal($"tofu-lock-takeover:{dead.Id}", Assert.Single(events.Recorded).Event.Key);
    }

    [Fact]
    public async Task RenewingKeepsALiveLockButNeverRevivesALapsedOne()
    {
        var (store, blobs, _) = await StoreAsync();
        var id = DeploymentId.New();
        var tag = TofuRunTag.New(TofuRunTag.Apply, 1);
        Assert.Equal(TofuLockCheck.Free, await store.RenewLockAsync(id, tag.Execution, default));
        await store.LockAsync(id, Lock(), tag, default);

        Assert.Equal(TofuLockCheck.Renewed, await store.RenewLockAsync(id, tag.Execution, default));

        await StateBlob(blobs, id).GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        Assert.Equal(TofuLockCheck.Free, await store.RenewLockAsync(id, tag.Execution, default));
        Assert.NotEqual(LeaseState.Leased, (await StateBlob(blobs, id).GetPropertiesAsync()).Value.LeaseState);
    }

    [Fact]
    public async Task ANewExecutionTakesALiveLockAtOnceAndTheOldOneIsFencedOff()
    {
        var (store, _, events) = await StoreAsync();
        var id = DeploymentId.New();
        var (gone, next) = (TofuRunTag.New(TofuRunTag.Apply, 1), TofuRunTag.New(TofuRunTag.Apply, 1));
        var (goneLock, nextLock) = (Lock("nonroot@killed-pod"), Lock("nonroot@next-pod"));
        await store.LockAsync(id, goneLock, gone, default);

        // No waiting for the 60 s lease: the earlier execution's work item lapsed, so it is gone.
        Assert.Equal(TofuLockOutcome.Done, (await store.LockAsync(id, nextLock, next, default)).Outcome);

        var takeover = Assert.Single(events.Recorded).Event;
        Assert.Contains("its execution is gone", takeover.Message);
        Assert.Contains("nonroot@killed-pod", takeover.Message);
        // Fencing: whatever the old execution still tries is refused, and its runner learns it is no longer current.
        Assert.Equal(TofuLockOutcome.HeldByOther, (await store.WriteStateAsync(id, goneLock.Id, BinaryData.FromString("{\"serial\":9}"), default)).Outcome);
        Assert.Equal(TofuLockCheck.TakenOver, await store.RenewLockAsync(id, gone.Execution, default));
        Assert.Equal(TofuLockOutcome.Done, (await store.WriteStateAsync(id, nextLock.Id, BinaryData.FromString("{\"serial\":10}"), default)).Outcome);
        Assert.Equal(TofuLockCheck.Renewed, await store.RenewLockAsync(id, next.Execution, default));
    }

    [Fact]
    public async Task AnOlderRunOrAnApplyAfterAWipeWaitsForTheLease()
    {
        var (store, _, events) = await StoreAsync();
        var id = DeploymentId.New();
        await store.LockAsync(id, Lock(), TofuRunTag.New(TofuRunTag.Destroy, 2), default);

        Assert.Equal(TofuLockOutcome.HeldByOther, (await store.LockAsync(id, Lock(), TofuRunTag.New(TofuRunTag.Apply, 2), default)).Outcome);
        Assert.Equal(TofuLockOutcome.HeldByOther, (await store.LockAsync(id, Lock(), TofuRunTag.New(TofuRunTag.Destroy, 1), default)).Outcome);
        Assert.Equal(TofuLockOutcome.HeldByOther, (await store.LockAsync(id, Lock(), tag: null, default)).Outcome);
        Assert.Empty(events.Recorded);
    }

    [Fact]
    public async Task AWipeAsksTheRunningApplyToStop()
    {
        var (store, _, _) = await StoreAsync();
        var id = DeploymentId.New();
        var apply = TofuRunTag.New(TofuRunTag.Apply, 1);
        Assert.False(await store.RequestStopAsync(id, default));
        var held = Lock();
        await store.LockAsync(id, held, apply, default);

        Assert.True(await store.RequestStopAsync(id, default));

        Assert.Equal(TofuLockCheck.StopRequested, await store.RenewLockAsync(id, apply.Execution, default));
        // tofu saves its state under the lock it still holds, then unlocks; the request goes with the lock.
        Assert.Equal(TofuLockOutcome.Done, (await store.WriteStateAsync(id, held.Id, BinaryData.FromString("{}"), default)).Outcome);
        Assert.Equal(TofuLockOutcome.Done, (await store.UnlockAsync(id, held, default)).Outcome);
        await store.LockAsync(id, Lock(), TofuRunTag.New(TofuRunTag.Apply, 1), default);
        Assert.Equal(TofuLockCheck.TakenOver, await store.RenewLockAsync(id, apply.Execution, default));
    }

    [Fact]
    public async Task ALockLeftByAnExecutionIsReleasedOnlyForThatExecution()
    {
        var (store, _, _) = await StoreAsync();
        var id = DeploymentId.New();
        var (mine, other) = (TofuRunTag.New(TofuRunTag.Apply, 1), TofuRunTag.New(TofuRunTag.Apply, 1));
        await store.LockAsync(id, Lock(), mine, default);

        await store.ReleaseIfHeldByAsync(id, other.Execution, default);
        Assert.NotNull(await store.HolderAsync(id, default));

        await store.ReleaseIfHeldByAsync(id, mine.Execution, default);
        Assert.Null(await store.HolderAsync(id, default));
        Assert.Equal(TofuLockOutcome.Done, (await store.LockAsync(id, Lock(), tag: null, default)).Outcome);
    }

    [Fact]
    public async Task TheLeaseIsFiniteSoADeadHoldersLockExpiresByItself()
    {
        var (store, blobs, events) = await StoreAsync(lease: TimeSpan.FromSeconds(15));
        var id = DeploymentId.New();
        var (dead, next) = (Lock("nonroot@dead-pod"), Lock());
        await store.LockAsync(id, dead, default);
        Assert.Equal(TofuLockOutcome.HeldByOther, (await store.LockAsync(id, next, default)).Outcome);

        await Wait.ForAsync(async () => (await StateBlob(blobs, id).GetPropertiesAsync()).Value.LeaseState == LeaseState.Expired ? (object)true : null,
            TimeSpan.FromSeconds(40), "the lease to expire", TimeSpan.FromMilliseconds(500));

        Assert.Equal(TofuLockOutcome.Done, (await store.LockAsync(id, next, default)).Outcome);
        Assert.Equal($"tofu-lock-takeover:{dead.Id}", Assert.Single(events.Recorded).Event.Key);
    }

    [Fact]
    public async Task UnlockingWhatNobodyHoldsIsFine()
    {
        var (store, _, _) = await StoreAsync();
        Assert.Equal(TofuLockOutcome.Done, (await store.UnlockAsync(DeploymentId.New(), Lock(), default)).Outcome);
    }

    [Fact]
    public async Task OversizedLockInfoIsRefused()
    {
        var (store, _, _) = await StoreAsync();
        var body = $$"""{"ID":"x","Info":"{{new string('i', TofuStateStore.MaxLockInfoBytes)}}"}""";
        Assert.True(TofuLockInfo.TryParse(Encoding.UTF8.GetBytes(body), out var info));
        await Assert.ThrowsAsync<ArgumentException>(() => store.LockAsync(DeploymentId.New(), info!, default));
    }
}
