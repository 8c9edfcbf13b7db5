using Catalyst.Domain.Deployments;
using Catalyst.Domain.Subdomains;
using Catalyst.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Catalyst.Functions.Activities;

public sealed record SubdomainClaim(string DeploymentId, string PoolDomain, string Subdomain);

/// <summary>
/// As the workflow starts: the POST's reservation is still ours (taken again if it lapsed and nobody else took it),
/// its TTL restarted. Not committed yet (issue 15: names were made permanent before tofu ran, so a request with a
/// made-up token held its name for ever): a run whose apply fails lets the claim lapse at the TTL.
/// </summary>
public sealed class ClaimSubdomainActivity(SubdomainReservations reservations) : TaskActivity<SubdomainClaim, bool>
{
    [Function(TaskNames.ClaimSubdomain)]
    public Task<bool> Run([ActivityTrigger] SubdomainClaim claim) => RunAsync(null!, claim);

    public override async Task<bool> RunAsync(TaskActivityContext context, SubdomainClaim claim) =>
        await reservations.ReserveAsync(claim.PoolDomain, claim.Subdomain, claim.DeploymentId, CancellationToken.None,
            renew: true) == ReserveResult.Reserved;
}

/// <summary>
/// After a successful apply: the name becomes permanent (active), so a Sovereign that exists keeps its name through a
/// failed Phase 1 until it is wiped, and a retry finds it still its own.
/// </summary>
public sealed class CommitSubdomainActivity(SubdomainReservations reservations) : TaskActivity<SubdomainClaim, bool>
{
    [Function(TaskNames.CommitSubdomain)]
    public Task<bool> Run([ActivityTrigger] SubdomainClaim claim) => RunAsync(null!, claim);

    public override async Task<bool> RunAsync(TaskActivityContext context, SubdomainClaim claim)
    {
        var result = await reservations.CommitAsync(claim.PoolDomain, claim.Subdomain, claim.DeploymentId,
            CancellationToken.None);
        if (result == CommitResult.NotFound)
            // The reservation lapsed before the workflow started (a
            // very slow start): take the name again if it is free.
            return await reservations.ReserveAsync(claim.PoolDomain, claim.Subdomain, claim.DeploymentId,
                CancellationToken.None) == ReserveResult.Reserved
                   && await reservations.CommitAsync(claim.PoolDomain, claim.Subdomain, claim.DeploymentId,
                       CancellationToken.None) == CommitResult.Committed;
        return result == CommitResult.Committed;
    }
}

/// <summary>Frees the name on wipe (only the owner can; releasing twice is fine).</summary>
public sealed class ReleaseSubdomainActivity(SubdomainReservations reservations) : TaskActivity<SubdomainClaim, bool>
{
    [Function(TaskNames.ReleaseSubdomain)]
    public Task<bool> Run([ActivityTrigger] SubdomainClaim claim) => RunAsync(null!, claim);

    public override async Task<bool> RunAsync(TaskActivityContext context, SubdomainClaim claim) =>
        await reservations.ReleaseAsync(claim.PoolDomain, claim.Subdomain, claim.DeploymentId,
            CancellationToken.None) == ReleaseResult.Released;
}

/// <summary>A pool deployment's name in its managed pool domain (null for bring-your-own domains).</summary>
public sealed record PoolName(string PoolDomain, string Subdomain)
{
    public static PoolName? Of(DeploymentRecord record) =>
        record.Request.IsPoolMode ? new PoolName(record.Request.SovereignPoolDomain.ToLowerInvariant(),
            record.Request.SovereignSubdomain.ToLowerInvariant()) : null;
}
