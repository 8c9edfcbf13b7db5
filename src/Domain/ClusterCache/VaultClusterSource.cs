using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// The clusters to cache are the deployments whose kubeconfig is in the vault (DESIGN §4 replaced the original's
/// kubeconfigs directory), except those being wiped or wiped: a failed wipe keeps the vault (so it can be finished)
/// but the Sovereign is on its way out. A missing record excludes the id too. The seed (issue #321) picked a new
/// Sovereign up only at the next restart; the rescan finds it within CATALYST_K8SCACHE_RESCAN_INTERVAL.
/// </summary>
public sealed class VaultClusterSource(DeploymentStore store, Vault vault, bool sandbox = false, ILogger? log = null)
    : IClusterSource
{
    readonly ILogger log = log ?? NullLogger.Instance;

    public async Task<IReadOnlyList<string>> ScanAsync(CancellationToken cancellationToken)
    {
        var ids = await vault.IdsWithAsync(VaultEntries.Kubeconfig, cancellationToken);
        var records = await Task.WhenAll(ids.Select(async id =>
        {
            try
            {
                return await store.GetAsync(id, cancellationToken);
            }
            catch (CorruptRecordException)
            {
                return null;
            }
        }));
        return records.OfType<DeploymentRecord>().Where(IsLive).Select(r => r.Id).ToList();
    }

    /// <summary>
    /// The stored kubeconfig when it passes the postback's rules today (issue 15): one stored before them, or one whose
    /// record no longer names its server, is skipped with a warning and never turned into a client.
    /// </summary>
    public async Task<byte[]?> KubeconfigAsync(string id, CancellationToken cancellationToken)
    {
        if (await vault.GetAsync(id, VaultEntries.Kubeconfig, cancellationToken) is not { } kubeconfig) return null;
        DeploymentRecord? record;
        try
        {
            record = await store.GetAsync(id, cancellationToken);
        }
        catch (CorruptRecordException)
        {
            record = null;
        }
        if (record is null) return null;
        if (SovereignKubeconfig.Read(kubeconfig, record, sandbox).Refusal is { } refusal)
        {
            log.LogWarning("Cluster {Cluster}: stored kubeconfig refused ({Refusal}); not cached", id, refusal);
            return null;
        }
        return kubeconfig;
    }

    public static bool IsLive(DeploymentRecord record) =>
        record.Status is not (DeploymentStatuses.Wiping or DeploymentStatuses.Wiped) && record.Wipe is null;
}
