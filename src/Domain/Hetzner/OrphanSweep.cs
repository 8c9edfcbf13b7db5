using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Catalyst.Domain.Configuration;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Domain.Tofu;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Domain.Hetzner;

/// <summary>The orphan sweep's settings, read here only.</summary>
public sealed record OrphanSweepSettings(string Schedule, bool Delete)
{
    public const string ScheduleSetting = "CATALYST_ORPHAN_SWEEP";
    public const string DeleteSetting = "CATALYST_ORPHAN_SWEEP_DELETE";
    public const string DefaultSchedule = "0 0 * * * *";

    public static OrphanSweepSettings From(Func<string, string?> read) =>
        new(Settings.Text(read, ScheduleSetting, DefaultSchedule), Settings.Bool(read, DeleteSetting, false));
}

/// <summary>
/// Finds what a crash left behind (DESIGN §3: nothing is left behind): for every deployment whose Hetzner token is
/// still in the vault, the objects carrying its owner label that tofu's state does not hold. For a live deployment
/// those are the owner-labelled objects missing from <c>tofu state list</c> (or matching no module address); for a
/// wiped or failed one, everything labelled. Deployments with a run in progress are left alone. A finding is written
/// to the record (<see cref="DeploymentRecord.Orphans"/>) and the timeline once: a sweep that finds the same set
/// again writes nothing. With <see cref="OrphanSweepSettings.Delete"/>, orphans of wiped or failed deployments are
/// deleted; a live deployment's never are (its next apply adopts what it can).
/// </summary>
public sealed class OrphanSweep(
    DeploymentStore store, Vault vault, IDeploymentEvents events, HetznerSweep hetzner,
    Func<DeploymentRecord, CancellationToken, Task<IReadOnlySet<string>>> stateList, OrphanSweepSettings settings,
    TimeProvider time)
{
    /// <summary>What one deployment's sweep did.</summary>
    public enum Outcome { Skipped, Unchanged, Reported, Failed }

    /// <summary>Why a deployment could not be swept at all during <see cref="SweepAllAsync"/>, for the log.</summary>
    public Dictionary<string, string> Problems { get; } = new(StringComparer.Ordinal);

    public async Task<IReadOnlyDictionary<string, Outcome>> SweepAllAsync(CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<string, Outcome>(StringComparer.Ordinal);
        foreach (var id in await vault.IdsWithAsync(VaultEntries.HetznerToken, cancellationToken))
        {
            try
            {
                outcomes[id] = await SweepAsync(id, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One unreadable record or vault entry must not stop the sweep of the others.
                Problems[id] = e.Message;
                outcomes[id] = Outcome.Failed;
            }
        }
        return outcomes;
    }

    public async Task<Outcome> SweepAsync(string deploymentId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(deploymentId, cancellationToken) is not { } record) return Outcome.Skipped;
        // A run in progress may be between "created" and "state written": its own next apply adopts what it left.
        if (DeploymentStatuses.InFlight(record.Status) || record.Status == DeploymentStatuses.Wiping)
            return Outcome.Skipped;
        if (await vault.GetStringAsync(deploymentId, VaultEntries.HetznerToken,
            cancellationToken) is not { Length: > 0 } token) return Outcome.Skipped;
        var finished = record.Status is DeploymentStatuses.Wiped or DeploymentStatuses.Failed;

        IReadOnlyList<Leftover> orphans;
        try
        {
            var owned = await hetzner.ListAsync(deploymentId, token, cancellationToken);
            orphans = finished || owned.Count == 0
                ? owned
                : TofuAdoption.Plan(owned, await stateList(record, cancellationToken), VariablesOf(record)).Unknown;
        }
        catch (Exception e)
            when (e is HttpRequestException or TofuException or JsonException
                || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            await FailedAsync(record, e.Message, cancellationToken);
            return Outcome.Failed;
        }

        var deleted = 0;
        string? error = null;
        if (finished && settings.Delete)
            foreach (var orphan in orphans)
            {
                try
                {
                    await hetzner.DeleteAsync(orphan, token, cancellationToken);
                    deleted++;
                }
                catch (Exception e)
                    when (e is HttpRequestException
                        || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    error = $"could not delete {orphan.Kind}/{orphan.Id}: {e.Message}";
                }
            }

        var objects = orphans.Select(o => $"{o.Kind}/{o.Id} {o.Name}").Order(StringComparer.Ordinal).ToList();
        var previous = record.Orphans;
        if (deleted == 0 && error is null && previous is { Error: null }
            && previous.Objects.SequenceEqual(objects, StringComparer.Ordinal)) return Outcome.Unchanged;
        if (deleted == 0 && error is null && previous is null && objects.Count == 0) return Outcome.Unchanged;

        var now = time.GetUtcNow();
        var fingerprint = Fingerprint(objects);
        var report = new OrphanReport { Count = objects.Count, Objects = objects, SweptAt = now, Deleted = deleted,
            Error = error };
        await store.UpdateAsync(deploymentId, r => r with { Orphans = report }, cancellationToken);
        var written = new List<DeploymentEvent>();
        if (objects.Count > 0)
            written.Add(new DeploymentEvent
            {
                Key = $"{deploymentId}:orphans:{fingerprint}", Time = now, Phase = Phases.OrphanSweep,
                Level = EventLevels.Warn,
                Message =
                    $"Orphan sweep: {objects.Count} object(s) labelled {TofuContract.OwnerLabel}={deploymentId} that " +
                    "tofu's state does not hold: " +
                    string.Join("; ", orphans.Select(o => $"{o.Kind}/{o.Id} \"{o.Name}\"")) +
                    (finished
                        ? settings.Delete
                            ? ""
                            : $" (remove with: {string.Join("; ", orphans.Select(HetznerSweep.CommandFor))}, " +
                              $"or set {OrphanSweepSettings.DeleteSetting}=true)"
                        : " (not deleted: the deployment is live)"),
            });
        else if (previous is { Count: > 0 })
            written.Add(DeploymentEvent.Info($"{deploymentId}:orphans-cleared:{Fingerprint(previous?.Objects ?? [])}",
                "orphan-sweep",
                "Orphan sweep: nothing labelled for this deployment is left outside tofu's state", now));
        if (deleted > 0)
            written.Add(DeploymentEvent.Info($"{deploymentId}:orphans-deleted:{fingerprint}", "orphan-sweep",
                $"Orphan sweep deleted {deleted} of {objects.Count} orphaned object(s) " +
                $"({OrphanSweepSettings.DeleteSetting}=true)", now));
        if (error is not null)
            written.Add(new DeploymentEvent
            {
                Key = $"{deploymentId}:orphans-delete-failed:{fingerprint}:{Fingerprint([error])}", Time = now,
                Phase = Phases.OrphanSweep, Level = EventLevels.Warn,
                Message = $"Orphan sweep {error}; it tries again at the next sweep",
            });
        await events.AppendAsync(deploymentId, written, cancellationToken);
        return Outcome.Reported;
    }

    async Task FailedAsync(DeploymentRecord record, string problem, CancellationToken cancellationToken)
    {
        await events.AppendAsync(record.Id, [new DeploymentEvent
        {
            Key = $"{record.Id}:orphan-sweep-failed:{Fingerprint([problem])}", Time = time.GetUtcNow(),
            Phase = Phases.OrphanSweep, Level = EventLevels.Warn,
            Message =
                $"Orphan sweep could not list this deployment's Hetzner objects ({problem}); " +
                "it tries again at the next sweep",
        }], cancellationToken);
        if (record.Orphans?.Error != problem)
            await store.UpdateAsync(record.Id,
                r => r with { Orphans = (r.Orphans
                    ?? new OrphanReport { SweptAt = time.GetUtcNow() }) with { Error = problem } }, cancellationToken);
    }

    static Dictionary<string, object?> VariablesOf(DeploymentRecord record) => new()
    {
        ["sovereign_fqdn"] = record.Request.SovereignFqdn,
        ["ha_enabled"] = record.Request.HaEnabled,
        ["worker_count"] = record.Request.WorkerCount,
    };

    static string Fingerprint(IEnumerable<string> items) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', items))))[..16];
}
