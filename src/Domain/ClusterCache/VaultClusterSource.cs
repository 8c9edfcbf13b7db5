using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// The clusters to cache are the deployments whose kubeconfig is in the vault (DESIGN §4 replaced the original's
/// kubeconfigs directory), except those being wiped or wiped: a failed wipe keeps the vault (so it can be finished)
/// but the Sovereign is on its way out. A missing record excludes the id too.
/// </summary>
public sealed class VaultClusterSource(DeploymentStore store, Vault vault) : IClusterSource
{
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

    public Task<byte[]?> KubeconfigAsync(string id, CancellationToken cancellationToken) => vault.GetAsync(id, VaultEntries.Kubeconfig, cancellationToken);

    public static bool IsLive(DeploymentRecord record) =>
        record.Status is not (DeploymentStatuses.Wiping or DeploymentStatuses.Wiped) && record.Wipe is null;
}
