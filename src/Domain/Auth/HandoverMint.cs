using System.Text.Json;
using Catalyst.Domain.Deployments;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Domain.Auth;

/// <summary>
/// The rules for minting a handover for a deployment (reference E.1): who may be handed over (status ready or adopted,
/// a known FQDN), whom the token names (identity headers, in the original's order), and the timeline event that
/// announces an automatic handover (phase <c>handover-ready</c>). Neither the event nor the stream carries a token: a
/// handover token is a credential, minted only by the owner-checked mint endpoint and audited there.
/// </summary>
public static class HandoverMint
{
    public const string ReadyPhase = Phases.HandoverReady;
    public const string SkippedPhase = Phases.HandoverSkipped;
    /// <summary>How long a live stream of a just-ready deployment
    /// waits for the handover event before it says done.</summary>
    public static readonly TimeSpan StreamWait = TimeSpan.FromSeconds(15);

    public static bool IsHandoverReady(string status) =>
        status is DeploymentStatuses.Ready or DeploymentStatuses.Adopted;

    public static string NotReadyDetail(string status) =>
        $"deployment status is {status}; handover token can only be minted when status is ready or adopted";

    public static string Fqdn(DeploymentRecord record) =>
        record.Result?.SovereignFqdn is { Length: > 0 } fqdn ? fqdn : record.Request.SovereignFqdn;

    /// <summary>
    /// Whom the token names: the signed-in caller (the owner, or an operator acting for them). With no session (auth
    /// mode off) the organisation's email on the request, as the automatic handover does. Never a request header: the
    /// original's X-Forwarded-Email let any caller name themselves <c>sovereign-admin</c> (issue 14).
    /// </summary>
    public static (string Subject, string Email) Recipient(SessionIdentity? caller, DeploymentRecord record) =>
        caller is { } c ? (c.Subject, c.Email.Length > 0 ? c.Email : c.Subject)
            : (record.Request.OrgEmail, record.Request.OrgEmail);

    public static string EventMessage(string deploymentId) =>
        $"Sovereign ready for handover: POST {MintPath(deploymentId)} mints the owner's one-time handover link " +
        "(valid 5 minutes).";

    public static string MintPath(string deploymentId) => $"/api/v1/deployments/{deploymentId}/mint-handover-token";

    /// <summary>
    /// The SSE frame for a handover-ready event: where to mint the link, never a token (issue 14: a stream minted a
    /// fresh <c>sovereign-admin</c> token for every connection, unlogged). The console asks the owner-checked mint
    /// endpoint, which records who asked. Null for any other event.
    /// </summary>
    public static string? StreamFrame(DeploymentEvent e, string deploymentId)
    {
        if (e.Phase != ReadyPhase) return null;
        var data =
            new Dictionary<string, string> { ["deploymentId"] = deploymentId, ["mintURL"] = MintPath(deploymentId) };
        return $"event: {ReadyPhase}\ndata: {JsonSerializer.Serialize(data)}\n\n";
    }

    /// <summary>
    /// A stream should hold its <c>done</c> frame: the deployment has just become ready, a signer is on, and neither
    /// the handover event nor its skip has been logged yet (the AnnounceHandover activity, Durable name MintHandover,
    /// runs right after the ready step).
    /// </summary>
    public static bool StreamShouldWait(DeploymentRecord record, bool signerOn, IEnumerable<DeploymentEvent> log,
        DateTimeOffset now) =>
        signerOn && record.Status == DeploymentStatuses.Ready && record.FinishedAt is { } finished
            && now - finished < StreamWait
        && !log.Any(e => e.Phase is ReadyPhase or SkippedPhase && EventKeys.IsOfRun(e.Key, record.Id, record.Run));

    /// <summary>The idempotency key of the handover event of a deployment's run (one per run).</summary>
    public static string EventKey(string deploymentId, int run, string phase) =>
        EventKeys.Step(deploymentId, run, phase);
}
