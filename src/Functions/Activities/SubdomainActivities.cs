using Catalyst.Domain.Subdomains;
using Catalyst.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Catalyst.Functions.Activities;

public sealed record SubdomainClaim(string DeploymentId, string PoolDomain, string Subdomain);

/// <summary>
/// Makes the POST's reservation permanent as the workflow starts: a provision outlives the reservation TTL, and
/// a failed deployment keeps its name (and its DNS) until it is wiped, so a retry finds it still its own.
/// </summary>
public sealed class ClaimSubdomainActivity(SubdomainReservations reservations) : TaskActivity<SubdomainClaim, bool>
{
    [Function(TaskNames.ClaimSubdomain)]
    public Task<bool> Run([ActivityTrigger] SubdomainClaim claim) => RunAsync(null!, claim);

    public override async Task<bool> RunAsync(TaskActivityContext context, SubdomainClaim claim)
    {
        var result = await reservations.CommitAsync(claim.PoolDomain, claim.Subdomain, claim.DeploymentId, CancellationToken.None);
        if (result == CommitResult.NotFound)
            // The reservation lapsed before the workflow started (a very slow start): take the name again if it is free.
            return await reservations.ReserveAsync(claim.PoolDomain, claim.Subdomain, claim.DeploymentId, CancellationToken.None) == ReserveResult.Reserved
                   && await reservations.CommitAsync(claim.PoolDomain, claim.Subdomain, claim.DeploymentId, CancellationToken.None) == CommitResult.Committed;
        return result == CommitResult.Committed;
    }
}

/// <summary>Frees the name on wipe (only the owner can; releasing twice is fine).</summary>
public sealed class ReleaseSubdomainActivity(SubdomainReservations reservations) : TaskActivity<SubdomainClaim, bool>
{
    [Function(TaskNames.ReleaseSubdomain)]
    public Task<bool> Run([ActivityTrigger] SubdomainClaim claim) => RunAsync(null!, claim);

    public override async Task<bool> RunAsync(TaskActivityContext context, SubdomainClaim claim) =>
        await reservations.ReleaseAsync(claim.PoolDomain, claim.Subdomain, claim.DeploymentId, CancellationToken.None) == ReleaseResult.Released;
}
