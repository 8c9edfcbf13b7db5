using Catalyst.Domain.Auth;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Activities;

public sealed record HandoverInput(string DeploymentId, int Run);

/// <summary>
/// Auto-handover when a deployment becomes ready (reference E.1 [I-early+], #764/#768): checks a link can be minted for
/// the organisation's email and logs the <c>handover-ready</c> event, which the SSE stream turns into its typed frame
/// with a freshly minted one-time link. No token is minted here: the original stored the link in the record, but a
/// handover token is a credential and records, events and history never hold one. It never fails the workflow: a
/// deployment without a signer or an email is still ready, and the timeline says why no handover link came.
/// Its Durable name stays <c>MintHandover</c> (<see cref="TaskNames.MintHandover"/>): histories recorded before the
/// rename replay against it.
/// </summary>
public sealed class AnnounceHandoverActivity(DeploymentStore store, EventLog events, SignerSource signer,
    TimeProvider time, ILogger<AnnounceHandoverActivity> log)
    : TaskActivity<HandoverInput, bool>
{
    [Function(TaskNames.MintHandover)]
    public Task<bool> Run([ActivityTrigger] HandoverInput input) => RunAsync(null!, input);

    public override async Task<bool> RunAsync(TaskActivityContext context, HandoverInput input)
    {
        var (id, run) = (input.DeploymentId, input.Run);
        if (await store.GetAsync(id) is not { } record || record.Run != run
            || !HandoverMint.IsHandoverReady(record.Status)) return false;

        var fqdn = HandoverMint.Fqdn(record);
        var email = record.Request.OrgEmail;
        var reason = signer.Signer is null ? $"the handover signer is off ({signer.Problem})"
            : fqdn.Length == 0 ? "the deployment has no Sovereign FQDN"
            : email.Length == 0 ? "the deployment has no organisation email"
            : null;
        if (reason is not null)
        {
            await Append(id, run, HandoverMint.SkippedPhase, EventLevels.Warn,
                $"No automatic handover link: {reason}. POST /api/v1/deployments/{id}/mint-handover-token mints one.");
            return false;
        }

        await Append(id, run, HandoverMint.ReadyPhase, EventLevels.Info, HandoverMint.EventMessage(id));
        log.LogInformation("Deployment {Id} ({Fqdn}) is ready for handover", id, fqdn);
        return true;
    }

    Task Append(string id, int run, string phase, string level, string message) =>
        events.AppendAsync(id, [new DeploymentEvent
        {
            Key = HandoverMint.EventKey(id, run, phase), Time = time.GetUtcNow(), Phase = phase, Level = level,
            Message = message,
        }], CancellationToken.None);
}
