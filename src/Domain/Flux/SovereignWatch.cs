using System.Text.Json;
using Catalyst.Domain.ClusterCache;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Metrics;
using Catalyst.Domain.Store;
using Microsoft.Extensions.Logging;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Domain.Flux;

/// <summary>Hands a watch's conclusion to the workflow waiting
/// for it (the Durable event, in the Functions layer).</summary>
public interface IWatchConclusions
{
    Task DeliverAsync(string deploymentId, WatchConclusion conclusion, CancellationToken cancellationToken);
}

/// <summary>
/// The Phase-1 watch of one Sovereign (reference B.7), event-driven as the original's informer was: the cluster
/// cache's <see cref="Informer"/> lists and watches the bootstrap kit's HelmReleases (resourceVersion, bookmarks, a
/// re-list on 410 Gone, bounded reads of a tenant's answers), and every change is evaluated at once: component
/// transitions recorded, the termination gate applied, the conclusion written to the registry entry and delivered to
/// the workflow as one event. Level-triggered: what it compares with is the registry entry, so a restarted watch, or
/// another replica's, re-lists and arrives at the same records — a transition seen twice is recorded once (its event
/// key is its index in the entry).
/// </summary>
public sealed class SovereignWatch(
    string deploymentId, WatchRegistry registry, DeploymentStore store, EventLog events, ProgressRecorder progress,
    Vault vault, bool sandbox,
    IWatchConclusions conclusions, ClusterCacheOptions informerOptions, TimeProvider time, ILogger log)
{
    /// <summary>The HelmReleases of <c>flux-system</c>, as the original's filtered informer read them.</summary>
    public static readonly KindSpec HelmReleases = new("helmrelease", HelmReleaseReader.Group,
        HelmReleaseReader.Version, HelmReleaseReader.Plural, true)
    {
        Namespace = HelmReleaseReader.Namespace, KeepEnvValues = true,
    };

    /// <summary>How often a quiet watch looks at its record: a wiped or
    /// superseded deployment leaves the watch within this.</summary>
    static readonly TimeSpan RecordCheck = TimeSpan.FromMinutes(2);

    readonly SemaphoreSlim changed = new(0, 1);
    /// <summary>
    /// What the releases looked like after each change, in order: taken on the informer's thread as each event is
    /// applied, so an evaluation that comes late (a busy replica) still records every intermediate state, not only the
    /// latest.
    /// </summary>
    readonly System.Collections.Concurrent.ConcurrentQueue<(long Version, IReadOnlyList<HelmReleaseSnapshot> Releases)>
        seen = new();
    volatile string? listError;
    volatile int listErrors;
    volatile string? refused;

    void Signal()
    {
        try
        {
            changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already pending: the evaluation reads the latest state anyway.
        }
    }

    /// <summary>Runs until the watch concludes, the deployment leaves the watch, or
    /// <paramref name="cancellationToken"/> ends it.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // The entry, the record and the kubeconfig at once: this start is on the path from the postback to the first
        // component state (issue 16).
        var reads = (Entry: registry.GetAsync(deploymentId, cancellationToken),
            Record: store.GetAsync(deploymentId, cancellationToken),
            Kubeconfig: vault.GetAsync(deploymentId, VaultEntries.Kubeconfig, cancellationToken));
        try
        {
            await Task.WhenAll(reads.Entry, reads.Record, reads.Kubeconfig);
        }
        catch (Exception) when (reads.Entry.IsCompletedSuccessfully && reads.Entry.Result is null)
        {
            return; // out of the watch: what the other reads met does not matter
        }
        if (reads.Entry.Result is not { } stored) return;
        var entry = stored.Entry;
        if (entry.Conclusion is { } done)
        {
            await conclusions.DeliverAsync(deploymentId, done, cancellationToken);
            return;
        }
        var (record, kubeconfig) = (reads.Record.Result, reads.Kubeconfig);
        if (!await StillWatchedAsync(entry.Run, record, cancellationToken)) return;

        var (connection, unusable) = Connect(kubeconfig.Result, record!);
        if (connection is null)
        {
            await StartFailedAsync(entry, unusable!, cancellationToken);
            return;
        }
        using var _ = connection;
        var cache = new KindCache(deploymentId, HelmReleases);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Saw()
        {
            var items = cache.Items;
            // Resource versions are opaque to clients in general; the API servers a Sovereign runs (etcd, kine) number
            // them, and a version that is not a number leaves the guard off (0).
            var version = items.Select(i => long.TryParse(i.ResourceVersion, out var v) ? v : 0)
                .DefaultIfEmpty(0).Max();
            seen.Enqueue((version, items.Select(Snapshot).ToList()));
            Signal();
        }
        var informer = new Informer(connection, cache, publish: _ => Saw(), hydrate: null, firstSynced: _ => Saw(),
            informerOptions, time, log,
            refused: (_, why) => { refused = why; Signal(); },
            failing: (_, count, why) => { listError = why; listErrors = count; Signal(); });
        var running = Task.Run(() => informer.RunAsync(stop.Token), CancellationToken.None);
        try
        {
            var lastRecordCheck = time.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested)
            {
                var woken = await changed.WaitAsync(RecordCheck, cancellationToken);
                if (!woken || time.GetUtcNow() - lastRecordCheck >= RecordCheck)
                {
                    lastRecordCheck = time.GetUtcNow();
                    if (!await StillWatchedAsync(entry.Run, await store.GetAsync(deploymentId, cancellationToken),
                        cancellationToken)) return;
                }
                if (await EvaluateAsync(entry.Run, cache, cancellationToken)) return;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await running.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>The record still waits on this run's watch; otherwise
    /// (wiped, failed, a later run) the stale entry goes.</summary>
    async Task<bool> StillWatchedAsync(int run, DeploymentRecord? record, CancellationToken cancellationToken)
    {
        if (record is { Status: DeploymentStatuses.Phase1Watching } && record.Run == run) return true;
        if (record is null || record.Run >= run)
        {
            log.LogInformation(
                "Phase-1 watch of {DeploymentId} run {Run} ends: the deployment is {Status} (run {RecordRun})",
                deploymentId, run,
                record?.Status ?? "gone", record?.Run);
            await registry.RemoveAsync(deploymentId, run, cancellationToken);
        }
        return false;
    }

    (ClusterConnection? Connection, string? Unusable) Connect(byte[]? kubeconfig, DeploymentRecord record)
    {
        if (kubeconfig is null) return (null, "no kubeconfig in the vault");
        // Issue 15: the stored kubeconfig meets the postback's rules again (one stored before them may point anywhere).
        if (SovereignKubeconfig.Read(kubeconfig, record, sandbox).Refusal is { } refusal)
            return (null, $"kubeconfig refused: {refusal}");
        try
        {
            return (ClusterConnection.FromKubeconfig(kubeconfig, informerOptions.Qps, informerOptions.Burst), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, HelmReleaseReader.NoClient(e));
        }
    }

    /// <summary>The watch could not start: before any listing that ends Phase 1 (watcher-start-failed); after one it
    /// waits for the timeout.</summary>
    async Task StartFailedAsync(WatchEntry entry, string why, CancellationToken cancellationToken)
    {
        log.LogWarning("Phase-1 watch of {DeploymentId} could not start: {Why}", deploymentId, why);
        if (entry.State.HasSynced) return;
        await progress.RecordAsync(Notice(entry.Run, "watcher-start-failed", 100,
            $"Phase-1 watch could not start: {why}", EventLevels.Error), cancellationToken);
        await ConcludeAsync(entry.Run,
            new WatchConclusion(entry.Run, WatchOutcomes.WatcherStartFailed, DeploymentStatuses.Failed,
            WatchOutcomes.WatcherStartFailedMessage.Replace("{id}", deploymentId)), cancellationToken);
    }

    /// <summary>
    /// One evaluation against the registry entry (compare-and-swap on its ETag: if another writer came first, read and
    /// evaluate again). True when the watch is over for this replica.
    /// </summary>
    async Task<bool> EvaluateAsync(int run, KindCache cache, CancellationToken cancellationToken)
    {
        var changes = new List<(long Version, IReadOnlyList<HelmReleaseSnapshot> Releases)>();
        while (seen.TryDequeue(out var snapshot)) changes.Add(snapshot);
        while (true)
        {
            if (await registry.GetAsync(deploymentId, cancellationToken) is not { } stored || stored.Entry.Run != run)
                return true;
            var entry = stored.Entry;
            if (entry.Conclusion is { } done)
            {
                await conclusions.DeliverAsync(deploymentId, done, cancellationToken);
                return true;
            }
            if (refused is { } why)
            {
                await StartFailedAsync(entry, $"the Sovereign's answers exceed a limit: {why}", cancellationToken);
                return true;
            }

            var state = entry.State;
            IReadOnlyList<WatchState.Transition> transitions = [];
            WatchConclusion? conclusion = null;
            var errors = listErrors;
            var newListError = false;
            if (changes.Count > 0)
            {
                var all = new List<WatchState.Transition>();
                foreach (var (version, releases) in changes)
                {
                    if (version > 0 && version < state.ObservedVersion) continue; // older than what is recorded
                    (state, var some) = state.Observe(releases);
                    state = state with { ObservedVersion = Math.Max(state.ObservedVersion, version) };
                    all.AddRange(some);
                }
                transitions = all;
                if (cache.Synced && state.GatePasses(entry.Settings))
                {
                    var (outcome, status, error) = state.Conclude(gatePassed: true);
                    conclusion = new WatchConclusion(run, outcome, status, error);
                }
            }
            else if (errors > state.ConsecutiveListErrors)
            {
                state = state with { ConsecutiveListErrors = errors };
                newListError = errors is 1 or 10 or 100;
            }
            if (transitions.Count == 0 && conclusion is null && state.SameAs(entry.State)) return false;

            // The records first, then the entry: a replica that dies between the two leaves transitions another replica
            // records again under the same keys (appended once).
            if (transitions.Count > 0) await RecordTransitionsAsync(run, transitions, state, cancellationToken);
            if (newListError)
                await progress.RecordAsync(new ProgressUpdate
                {
                    DeploymentId = deploymentId, Run = run, Key = EventKeys.Detail(deploymentId, run, Steps.ListError,
                        $"{errors}:{time.GetUtcNow():yyyyMMddHHmmss}"),
                    Phase = Phases.Phase1, Step = Steps.ListError, Progress = 50, Level = EventLevels.Warn,
                    Message = $"Phase-1 watch: listing HelmReleases failed ({listError}); retrying.",
                }, cancellationToken);
            if (conclusion is not null)
                await progress.RecordAsync(new ProgressUpdate
                {
                    DeploymentId = deploymentId, Run = run, Key = EventKeys.Step(deploymentId, run,
                        Steps.AllReconciled), Phase = Phases.Phase1, Step = Steps.AllReconciled, Progress = 95,
                    Message = $"All {state.States.Count} blueprints reconciled. Sovereign ready for handover.",
                }, cancellationToken);
            if (await registry.TryReplaceAsync(entry with { State = state, Conclusion = conclusion }, stored.ETag,
                cancellationToken) is null) continue;
            if (conclusion is null) return false;
            await conclusions.DeliverAsync(deploymentId, conclusion, cancellationToken);
            return true;
        }
    }

    /// <summary>Component transitions as timeline events (one key per
    /// transition) and the current states on the record.</summary>
    async Task RecordTransitionsAsync(int run, IReadOnlyList<WatchState.Transition> transitions, WatchState state,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var record = await store.UpdateAsync(deploymentId, r => r.Run != run ? null : r with
        {
            Result = (r.Result
                ?? new DeploymentResult { SovereignFqdn = r.Request.SovereignFqdn }) with { ComponentStates =
                    state.States },
        }, cancellationToken);
        if (record is null || record.Run != run) return;
        foreach (var t in transitions) CatalystMetrics.WatchTransitions.WithLabels(t.State).Inc();
        await events.AppendAsync(deploymentId, transitions.Select(t => new DeploymentEvent
        {
            Key = EventKeys.Component(deploymentId, run, t.Component, t.Index),
            Time = now,
            Phase = Phases.Component,
            Component = t.Component,
            State = t.State,
            Level = ComponentStates.LevelOf(t.State),
            Message = t.Message,
        }).ToList(), CancellationToken.None);
    }

    async Task ConcludeAsync(int run, WatchConclusion conclusion, CancellationToken cancellationToken)
    {
        while (await registry.GetAsync(deploymentId, cancellationToken) is { } stored && stored.Entry.Run == run)
        {
            var settled = stored.Entry.Conclusion ?? conclusion;
            if (stored.Entry.Conclusion is not null
                || await registry.TryReplaceAsync(stored.Entry with { Conclusion = settled }, stored.ETag,
                    cancellationToken) is not null)
            {
                await conclusions.DeliverAsync(deploymentId, settled, cancellationToken);
                return;
            }
        }
    }

    /// <summary>A watch warning or error: the record stays in <c>phase1</c>, the event is a <c>component</c> one (as
    /// the original's helmwatch emitted them).</summary>
    ProgressUpdate Notice(int run, string step, int percent, string message, string level) => new()
    {
        DeploymentId = deploymentId, Run = run, Key = EventKeys.Step(deploymentId, run, step), Phase = Phases.Phase1,
        Step = step, Progress = percent,
        Message = message, Level = level, EventPhase = Phases.Component,
    };

    static HelmReleaseSnapshot Snapshot(CachedObject item)
    {
        using var document = JsonDocument.Parse(item.Json);
        return HelmReleaseReader.ParseItem(document.RootElement);
    }
}
