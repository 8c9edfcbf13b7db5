using System.Text.Json;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Auth;

/// <summary>
/// The rules for minting a handover for a deployment (reference E.1): who may be handed over (status ready or adopted,
/// a known FQDN), whom the token names (identity headers, in the original's order), and the timeline event that
/// announces an automatic handover (phase <c>handover-ready</c>). The event carries no token: a handover token is a
/// credential, and records and events never hold one. The SSE stream mints a fresh one-time link for each frame
/// (<c>event: handover-ready</c>, data <c>{"handoverURL","expiresAt"}</c>).
/// </summary>
public static class HandoverMint
{
    public const string ReadyPhase = "handover-ready";
    public const string SkippedPhase = "handover-skipped";
    /// <summary>How long a live stream of a just-ready deployment waits for the handover event before it says done.</summary>
    public static readonly TimeSpan StreamWait = TimeSpan.FromSeconds(15);

    public static bool IsHandoverReady(string status) => status is DeploymentStatuses.Ready or DeploymentStatuses.Adopted;

    public static string NotReadyDetail(string status) =>
        $"deployment status is {status}; handover token can only be minted when status is ready or adopted";

    public static string Fqdn(DeploymentRecord record) =>
        record.Result?.SovereignFqdn is { Length: > 0 } fqdn ? fqdn : record.Request.SovereignFqdn;

    /// <summary>
    /// Whom the token names: the signed-in caller (the owner, or an operator acting for them). With no session (auth mode
    /// off) the organisation's email on the request, as the automatic handover does. Never a request header: the
    /// original's X-Forwarded-Email let any caller name themselves <c>sovereign-admin</c> (issue 14).
    /// </summary>
    public static (string Subject, string Email) Recipient(SessionIdentity? caller, DeploymentRecord record) =>
        caller is { } c ? (c.Subject, c.Email.Length > 0 ? c.Email : c.Subject) : (record.Request.OrgEmail, record.Request.OrgEmail);

    public static string EventMessage(string deploymentId) =>
        $"Sovereign ready for handover: the live stream carries a one-time handover link (valid 5 minutes); POST /api/v1/deployments/{deploymentId}/mint-handover-token mints another.";

    /// <summary>
    /// The SSE frame for a handover-ready event, with a link minted for this frame only (never stored); null for any
    /// other event or when no link can be minted (<paramref name="mint"/> returns null).
    /// </summary>
    public static string? StreamFrame(DeploymentEvent e, Func<(string Url, DateTimeOffset ExpiresAt)?> mint)
    {
        if (e.Phase != ReadyPhase || mint() is not { } link) return null;
        var data = new Dictionary<string, string> { ["handoverURL"] = link.Url, ["expiresAt"] = link.ExpiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ") };
        return $"event: {ReadyPhase}\ndata: {JsonSerializer.Serialize(data)}\n\n";
    }

    /// <summary>
    /// A stream should hold its <c>done</c> frame: the deployment has just become ready, a signer is on, and neither the
    /// handover event nor its skip has been logged yet (the MintHandover activity runs right after the ready step).
    /// </summary>
    public static bool StreamShouldWait(DeploymentRecord record, bool signerOn, IEnumerable<DeploymentEvent> log, DateTimeOffset now) =>
        signerOn && record.Status == DeploymentStatuses.Ready && record.FinishedAt is { } finished && now - finished < StreamWait
        && !log.Any(e => e.Phase is ReadyPhase or SkippedPhase && e.Key.StartsWith($"{record.Id}:{record.Run}:", StringComparison.Ordinal));

    /// <summary>The idempotency key of the handover event of a deployment's run (one per run).</summary>
    public static string EventKey(string deploymentId, int run, string phase) => $"{deploymentId}:{run}:{phase}";
}
