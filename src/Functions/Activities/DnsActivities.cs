using Catalyst.Domain.Dns;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Activities;

/// <summary>Activity names, used by the orchestrations that call them. They differ from the class names on purpose
/// (the Durable analyzers treat a class-based task and a function of the same name as a duplicate).</summary>
public static class DnsActivityNames
{
    public const string PublishDns = "PublishDns";
    public const string UnpublishDns = "UnpublishDns";
}

/// <summary>Ids and names only: these records are persisted in Durable history (DESIGN §4).</summary>
public sealed record PublishDnsInput(string DeploymentId, string PoolDomain, string Subdomain, string LoadBalancerIp);

public sealed record PublishDnsResult(string Fqdn, IReadOnlyList<string> Added, IReadOnlyList<string> AlreadyPresent);

public sealed record UnpublishDnsInput(string DeploymentId, string PoolDomain, string Subdomain);

public sealed record UnpublishDnsResult(string Fqdn, IReadOnlyList<string> Removed);

/// <summary>
/// Step 2 of ProvisionSovereign (DESIGN §3): the pool Sovereign's A records in the managed pool domain. Safe to
/// retry: it adds only what is missing. Throws for a domain outside the allowlist, before any Dynadot call.
/// </summary>
public sealed class PublishDnsActivity(SovereignDns dns, ILogger<PublishDnsActivity> log)
    : TaskActivity<PublishDnsInput, PublishDnsResult>
{
    [Function(DnsActivityNames.PublishDns)]
    public Task<PublishDnsResult> Run([ActivityTrigger] PublishDnsInput input) => RunAsync(null!, input);

    public override async Task<PublishDnsResult> RunAsync(TaskActivityContext context, PublishDnsInput input)
    {
        using var timer = Catalyst.Domain.Metrics.CatalystMetrics.TimePhase("dns");
        var outcome = await dns.PublishAsync(input.DeploymentId, input.PoolDomain, input.Subdomain,
            input.LoadBalancerIp, CancellationToken.None);
        log.LogInformation(
            "Deployment {DeploymentId}: DNS for {Fqdn} published, {Added} added, {Present} already present",
            input.DeploymentId, outcome.Fqdn, outcome.Added.Count, outcome.AlreadyPresent.Count);
        return new PublishDnsResult(outcome.Fqdn, outcome.Added, outcome.AlreadyPresent);
    }
}

/// <summary>
/// Decommission: removes exactly the records this deployment published and keeps every other record of the zone. When
/// the zone changed under the rewrite (<see cref="ZoneDriftException"/>) nothing is written and the activity fails: the
/// shared retry policy runs it again from a fresh read (the zone copy of each attempt is in <c>dns-backups</c>), and
/// if the zone keeps changing, the wipe's report names the records for an operator.
/// </summary>
public sealed class UnpublishDnsActivity(SovereignDns dns, ILogger<UnpublishDnsActivity> log)
    : TaskActivity<UnpublishDnsInput, UnpublishDnsResult>
{
    [Function(DnsActivityNames.UnpublishDns)]
    public Task<UnpublishDnsResult> Run([ActivityTrigger] UnpublishDnsInput input) => RunAsync(null!, input);

    public override async Task<UnpublishDnsResult> RunAsync(TaskActivityContext context, UnpublishDnsInput input)
    {
        var outcome = await dns.UnpublishAsync(input.DeploymentId, input.PoolDomain, input.Subdomain,
            CancellationToken.None);
        log.LogInformation("Deployment {DeploymentId}: DNS for {Fqdn} unpublished, {Removed} removed",
            input.DeploymentId, outcome.Fqdn, outcome.Removed.Count);
        return new UnpublishDnsResult(outcome.Fqdn, outcome.Removed);
    }
}
