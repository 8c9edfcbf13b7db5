using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Http;

/// <summary>Writes an <see cref="AuditEvents"/> entry for a
/// request: on the deployment's timeline and in the log.</summary>
public sealed class AuditTrail(EventLog events, TimeProvider time, ILogger<AuditTrail> log)
{
    public async Task RecordAsync(HttpContext context, string deploymentId, string action,
        CancellationToken cancellationToken, string? once = null)
    {
        var caller = CallerIdentity.Of(context);
        var actor = caller is null ? null
            : $"{(caller.Email.Length > 0 ? caller.Email : caller.Subject)} " +
                $"(sub {caller.Subject}{(caller.IsOperator ? ", operator" : "")})";
        // The connection's peer: a forwarded-for header is the client's own claim and is not recorded as fact.
        var from = context.Connection.RemoteIpAddress?.ToString();
        log.LogInformation("Audit: {Actor} {Action} for deployment {Id} from {From}", AuditEvents.Actor(actor), action,
            deploymentId, from);
        await events.AppendAsync(deploymentId,
            [AuditEvents.Event(deploymentId, action, actor, from, time.GetUtcNow(), once)], cancellationToken);
    }
}
