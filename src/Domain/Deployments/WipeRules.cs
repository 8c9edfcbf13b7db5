using Catalyst.Domain.Configuration;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// POST .../wipe's decision, beside <see cref="RetryRules"/>: whether a wipe starts, and the record as it starts. The
/// trigger stores the result, stops the workflow and starts Decommission; these are the rules.
/// </summary>
public static class WipeRules
{
    /// <summary>A wipe already running or done is not started again; a repeated request answers its status.</summary>
    public static bool AlreadyWiping(DeploymentRecord record) =>
        record.Status is DeploymentStatuses.Wiped or DeploymentStatuses.Wiping;

    /// <summary>
    /// The record as the wipe begins, or null when it must not begin (the update callback's "leave it"). A new run, so
    /// the provisioning workflow's late writes are ignored.
    /// </summary>
    public static DeploymentRecord? Start(DeploymentRecord record) => AlreadyWiping(record) ? null : record with
    {
        Status = DeploymentStatuses.Wiping, Phase = Phases.Wipe, Step = Steps.Queued, Progress = 0,
        Run = record.Run + 1, FinishedAt = null, Error = null, Failure = null,
        // Issue 15: a wipe ends the postback for good; without a
        // hash no bearer matches (FinishWipe deletes the plaintext).
        KubeconfigBearerHash = "",
    };
}

/// <summary>How long POST .../wipe waits for Decommission before
/// answering 202 (<c>CATALYST_WIPE_WAIT</c>, default 20s).</summary>
public sealed record WipeSettings(TimeSpan Wait)
{
    public const string WaitSetting = "CATALYST_WIPE_WAIT";

    public static WipeSettings From(Func<string, string?> read) =>
        new(Settings.Duration(read, WaitSetting, TimeSpan.FromSeconds(20)));
}
