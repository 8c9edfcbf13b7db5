using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tests.Deployments;

/// <summary>A request that passes every rule; tests change one thing at a time.</summary>
public static class TestRequests
{
    public const string HetznerToken = "Hz0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    public static DeploymentRequest Valid(string sub = "acme") => new()
    {
        OrgName = "Acme",
        OrgEmail = "owner@acme.example",
        SovereignFqdn = $"{sub}.omani.works",
        SovereignDomainMode = "pool",
        SovereignPoolDomain = "omani.works",
        SovereignSubdomain = sub,
        HetznerToken = HetznerToken,
        HetznerProjectId = "4711",
        Region = "fsn1",
        ControlPlaneSize = "cx23",
        WorkerSize = "cx33",
        WorkerCount = 2,
        SshPublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBx3 owner@laptop",
        ObjectStorageRegion = "fsn1",
        ObjectStorageAccessKey = "AKIAEXAMPLE",
        ObjectStorageSecretKey = "objstore-secret-value-123",
        ObjectStorageBucket = "acme-backups",
    };

    public static OperatorSecrets Operator(string ghcr = "ghcr-token-abc", string harbor = "harbor-robot-xyz") =>
        new(ghcr, harbor, "pdns-key-123", "dynadot-key-1", "dynadot-secret-1");
}
