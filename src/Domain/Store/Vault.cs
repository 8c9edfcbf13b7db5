using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Store;

/// <summary>
/// Secrets by reference (DESIGN §4): AES-256-GCM encrypted blobs at <c>vault/{deploymentId}/{name}</c>. The blob path
/// is the authenticated data, so a ciphertext copied to another deployment or name does not decrypt.
/// Layout: 12-byte nonce | ciphertext | 16-byte tag. The postback's kubeconfig lives here, never in the record's JSON
/// (seed issue #183: the record holds only that it arrived and a hash of the bearer).
/// </summary>
public sealed class Vault(BlobServiceClient blobs, byte[] key)
{
    public const string ContainerName = "vault";
    const int NonceSize = 12, TagSize = 16;

    readonly BlobContainerClient container = blobs.GetBlobContainerClient(ContainerName);
    readonly byte[] key = key.Length == 32 ? key
        : throw new ArgumentException("The vault key must be 32 bytes.", nameof(key));
    bool created;

    public Task PutAsync(string deploymentId, string name, ReadOnlyMemory<byte> secret,
        CancellationToken cancellationToken = default) =>
        WriteAsync(deploymentId, name, secret, onlyIfAbsent: false, cancellationToken);

    /// <summary>Stores the secret unless one is there already
    /// (atomic across replicas); false when it was there.</summary>
    public Task<bool> PutIfAbsentAsync(string deploymentId, string name, ReadOnlyMemory<byte> secret,
        CancellationToken cancellationToken = default) =>
        WriteAsync(deploymentId, name, secret, onlyIfAbsent: true, cancellationToken);

    public async Task<bool> ExistsAsync(string deploymentId, string name, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken);
        return (await container.GetBlobClient(PathOf(deploymentId, name)).ExistsAsync(cancellationToken)).Value;
    }

    async Task<bool> WriteAsync(string deploymentId, string name, ReadOnlyMemory<byte> secret, bool onlyIfAbsent,
        CancellationToken cancellationToken)
    {
        var path = PathOf(deploymentId, name);
        var sealedBytes = new byte[NonceSize + secret.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var gcm = new AesGcm(key, TagSize))
            gcm.Encrypt(nonce, secret.Span, sealedBytes.AsSpan(NonceSize, secret.Length),
                sealedBytes.AsSpan(NonceSize + secret.Length), Encoding.UTF8.GetBytes(path));
        await EnsureContainerAsync(cancellationToken);
        try
        {
            await container.GetBlobClient(path).UploadAsync(BinaryData.FromBytes(sealedBytes),
                new BlobUploadOptions { Conditions = onlyIfAbsent ? new BlobRequestConditions { IfNoneMatch = ETag.All }
                    : null }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (onlyIfAbsent && e.Status is 409 or 412)
        {
            return false;
        }
    }

    public Task PutAsync(string deploymentId, string name, string secret,
        CancellationToken cancellationToken = default) =>
        PutAsync(deploymentId, name, Encoding.UTF8.GetBytes(secret), cancellationToken);

    /// <summary>The secret, or null when none is stored under that name.</summary>
    public async Task<byte[]?> GetAsync(string deploymentId, string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(deploymentId, name);
        BinaryData content;
        try
        {
            content = (await container.GetBlobClient(path).DownloadContentAsync(cancellationToken)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        var sealedBytes = content.ToMemory();
        if (sealedBytes.Length < NonceSize + TagSize)
            throw new CryptographicException($"vault entry {path} is truncated");
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var gcm = new AesGcm(key, TagSize);
        gcm.Decrypt(sealedBytes.Span[..NonceSize], sealedBytes.Span[NonceSize..^TagSize], sealedBytes.Span[^TagSize..],
            plain, Encoding.UTF8.GetBytes(path));
        return plain;
    }

    public async Task<string?> GetStringAsync(string deploymentId, string name,
        CancellationToken cancellationToken = default) =>
        await GetAsync(deploymentId, name, cancellationToken) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>Ids of the deployments that hold a secret named
    /// <paramref name="name"/>: one listing, no decryption.</summary>
    public async Task<IReadOnlyList<string>> IdsWithAsync(string name, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken);
        var ids = new List<string>();
        var suffix = "/" + name;
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken))
            if (blob.Name.EndsWith(suffix, StringComparison.Ordinal) && blob.Name[..^suffix.Length] is var id
                && DeploymentId.IsValid(id))
                ids.Add(id);
        return ids;
    }

    /// <summary>Deletes one secret of a deployment. Idempotent.</summary>
    public async Task DeleteAsync(string deploymentId, string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(deploymentId, name);
        await EnsureContainerAsync(cancellationToken);
        await container.DeleteBlobIfExistsAsync(path, cancellationToken: cancellationToken);
    }

    /// <summary>Deletes every secret of a deployment (decommission). Idempotent.</summary>
    public async Task PurgeAsync(string deploymentId, CancellationToken cancellationToken = default)
    {
        Require(deploymentId);
        await EnsureContainerAsync(cancellationToken);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, deploymentId + "/",
            cancellationToken))
            await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken);
    }

    static string PathOf(string deploymentId, string name)
    {
        Require(deploymentId);
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw new ArgumentException($"vault entry name '{name}' must be letters, digits and hyphens", nameof(name));
        return $"{deploymentId}/{name}";
    }

    static void Require(string deploymentId)
    {
        if (!DeploymentId.IsValid(deploymentId))
            throw new ArgumentException("invalid deployment id", nameof(deploymentId));
    }

    async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (created) return;
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        created = true;
    }
}

/// <summary>Names of the secrets a deployment keeps in the vault.</summary>
public static class VaultEntries
{
    public const string HetznerToken = "hetzner-token";
    public const string ObjectStorageSecretKey = "object-storage-secret-key";
    public const string KubeconfigBearer = "kubeconfig-bearer";
    public const string Kubeconfig = "kubeconfig";
}
