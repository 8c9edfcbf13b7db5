using System.Security.Cryptography;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Domain.Deployments;

/// <summary>
/// The checks of PUT .../kubeconfig in the original's order (reference A.13): the first that fails decides the
/// status and body. Storage and the workflow are the trigger's business; these are the rules. The bearer and its single
/// use are the seed's #183 (Option D): the kubeconfig is checked by bearer and never lands in the record JSON.
/// </summary>
public static class KubeconfigPostback
{
    public const int MaxBytes = 1 << 20;

    /// <summary>The token after a case-insensitive <c>Bearer </c>
    /// scheme, trimmed; "" when absent or another scheme.</summary>
    public static string ExtractBearer(string? authorization)
    {
        var header = authorization?.Trim() ?? "";
        const string scheme = "bearer ";
        return header.Length > scheme.Length && header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            ? header[scheme.Length..].Trim() : "";
    }

    public const string AlreadySetError = "already-set";
    public const string AlreadySetDetail =
        "kubeconfig has already been captured for this deployment; bearer is single-use";

    /// <summary>
    /// Checks 2–4 of A.13, from the record alone: the bearer is compared (constant time, with its hash) before anything
    /// is read from the vault. Null when the bearer is this deployment's.
    /// </summary>
    public static (int Status, ApiError Error)? CheckBearer(DeploymentRecord record, string? authorization)
    {
        var bearer = ExtractBearer(authorization);
        if (bearer.Length == 0)
            return (401, new ApiError("missing-bearer", "Authorization: Bearer <token> header is required"));
        if (string.IsNullOrEmpty(record.KubeconfigBearerHash))
            return (403, new ApiError("no-bearer-hash",
                "this deployment has no bearer hash on record; refusing to accept a kubeconfig"));
        if (!KubeconfigBearer.Matches(record.KubeconfigBearerHash, bearer))
            return (403, new ApiError("invalid-bearer", "bearer token does not match the deployment's expected hash"));
        return null;
    }

    /// <summary>
    /// Check 5 of A.13 and issue 15's "once, for good": the bearer is spent by the first accepted postback, and the
    /// record says so for ever (<see cref="DeploymentResult.KubeconfigReceivedAt"/> survives retries, restarts and
    /// wipes; before, only the vault said so, and a wipe emptied the vault, so the old bearer worked again). A
    /// deployment being wiped, wiped, or failed takes no kubeconfig either (409): nothing would watch it, and its retry
    /// starts a new wait that cloud-init, which retries its PUT for about ten minutes, can still meet. The exception is
    /// #538: a watch that gave up waiting (<c>kubeconfig-missing</c>) never saw the bearer used, and a late postback
    /// restarts it.
    /// </summary>
    public static (int Status, ApiError Error)? CheckOpen(DeploymentRecord record)
    {
        if (record.Result?.KubeconfigReceivedAt is not null)
            return (403, new ApiError(AlreadySetError, AlreadySetDetail));
        if (record.Status is DeploymentStatuses.Wiping or DeploymentStatuses.Wiped || record.Wipe is not null)
            return (409, new ApiError("postback-closed",
                $"deployment is {record.Status} (a wipe was requested); it takes no kubeconfig"));
        if (record.Status == DeploymentStatuses.Failed && !RestartsWatch(record))
            return (409, new ApiError("postback-closed",
                "deployment has failed; it takes a kubeconfig again only once a retry is running"));
        return null;
    }

    /// <summary>
    /// The bearer's single use when the vault already holds a kubeconfig that the record does not mention yet: a host
    /// died between the vault write and the record. The same bytes again complete that postback (null: go on), since
    /// cloud-init retries; any other body, or a vault that no longer has it, finds the bearer spent.
    /// </summary>
    public static (int Status, ApiError Error)? CheckResend(byte[]? stored, byte[] body) =>
        stored is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(stored), SHA256.HashData(body))
            ? null
            : (403, new ApiError(AlreadySetError, AlreadySetDetail));

    /// <summary>The record once a postback is accepted: from now on
    /// <see cref="CheckOpen"/> refuses the bearer for good.</summary>
    public static DeploymentRecord Received(DeploymentRecord record, DateTimeOffset now) => record with
    {
        Result = (record.Result
            ?? new DeploymentResult { SovereignFqdn = record.Request.SovereignFqdn }) with {
                KubeconfigReceivedAt = now },
    };

    /// <summary>Check 6 of A.13.</summary>
    public static (int Status, ApiError Error)? CheckBody(int length, bool truncated)
    {
        if (truncated || length > MaxBytes)
            return (422, new ApiError("body-too-large", $"kubeconfig body exceeds {MaxBytes} bytes"));
        if (length == 0) return (422, new ApiError("empty-body", "kubeconfig body is empty"));
        return null;
    }

    /// <summary>
    /// The workflow waits for this postback right now (its last step is <c>kubeconfig-wait</c>): the PUT itself can put
    /// the deployment in the watch, as the original's PUT handler started its watch.
    /// </summary>
    public static bool AwaitedByWorkflow(DeploymentRecord record) =>
        record is { Status: DeploymentStatuses.Phase1Watching, Step: Steps.KubeconfigWait };

    /// <summary>The timeline's "kubeconfig received" line, whichever of
    /// the PUT or the workflow records it.</summary>
    public static string ArrivalMessage(int bytes) =>
        $"Phase-1 watch: kubeconfig received from cloud-init ({bytes} bytes); " +
        "starting per-component HelmRelease watch.";

    /// <summary>The arrival step as the PUT records it when the workflow waits: the key the workflow would use, and
    /// only while the record still waits in Phase 1 (a wipe or a timeout that came first keeps its status).</summary>
    public static ProgressUpdate Arrival(string deploymentId, int run, int bytes) => new()
    {
        DeploymentId = deploymentId, Run = run, Key = EventKeys.Step(deploymentId, run, Steps.KubeconfigReceived),
        Phase = Phases.Phase1, Step = Steps.KubeconfigReceived, Progress = 50, Message = ArrivalMessage(bytes),
        OnlyWhile = [DeploymentStatuses.Phase1Watching],
    };

    /// <summary>#538: a postback after the arrival wait gave up restarts the watch instead of being refused.</summary>
    public static bool RestartsWatch(DeploymentRecord record) =>
        record.Status == DeploymentStatuses.Failed && record.Result?.Phase1Outcome == "kubeconfig-missing";

    /// <summary>The record as the restarted watch begins: the outcome
    /// cleared, a new run so the old one's writes are ignored.</summary>
    public static DeploymentRecord RestartWatch(DeploymentRecord record) => record with
    {
        Status = DeploymentStatuses.Phase1Watching,
        Phase = Phases.Phase1,
        Step = Steps.KubeconfigReceived,
        Error = null,
        Failure = null,
        FinishedAt = null,
        Run = record.Run + 1,
        Result = (record.Result
            ?? new DeploymentResult()) with { Phase1Outcome = null, Phase1FinishedAt = null, ComponentStates = null },
    };
}
