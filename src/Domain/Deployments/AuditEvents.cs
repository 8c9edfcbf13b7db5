using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// Actions on a deployment that hand out or destroy something — a handover token, the admin kubeconfig, a wipe, a
/// retry — each leave an audit event on the deployment's timeline (phase <see cref="Phase"/>) and a log line: who,
/// when, from where (issue 14; the original logged none of them, and its stream minted tokens nobody asked for).
/// </summary>
public static class AuditEvents
{
    public const string Phase = Phases.Audit;

    public const string MintHandover = "minted a handover token";
    public const string DownloadKubeconfig = "downloaded the admin kubeconfig";
    public const string Wipe = "requested a wipe";
    public const string Retry = "requested a retry";

    /// <param name="actor">The caller as the gate established them; null when authentication is off.</param>
    /// <param name="once">Set for an action that is recorded once
    /// however often it is asked for (a Phase-1 retry per run).</param>
    public static DeploymentEvent Event(string deploymentId, string action, string? actor, string? from,
        DateTimeOffset time, string? once = null) =>
        DeploymentEvent.Info(EventKeys.OutsideRun(deploymentId, Phase, once ?? Guid.NewGuid().ToString("N")), Phase,
            $"{Actor(actor)} {action} from {from ?? "an unknown address"}", time);

    public static string Actor(string? actor) => actor ?? "an anonymous caller (CATALYST_AUTH_MODE=off)";
}
