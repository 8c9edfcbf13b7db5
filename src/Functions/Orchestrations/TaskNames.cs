namespace Catalyst.Functions.Orchestrations;

/// <summary>
/// The names of the Durable functions, in one place: the <c>[Function]</c> wrappers, the orchestrators' calls and
/// standalone's registration all read them. They differ from the class names on purpose: the Durable analyzers
/// treat a class-based task and a function with the same name as a duplicate.
/// </summary>
public static class TaskNames
{
    public const string ProvisionSovereign = "ProvisionSovereign";
    public const string TofuApply = "TofuApply";
    public const string RecordProgress = "RecordProgress";
    public const string BeginWatch = "BeginWatch";
    public const string CheckWatch = "CheckWatch";
    public const string EndWatch = "EndWatch";
    public const string Decommission = "Decommission";
    public const string ClaimSubdomain = "ClaimSubdomain";
    public const string CommitSubdomain = "CommitSubdomain";
    public const string ReleaseSubdomain = "ReleaseSubdomain";
    public const string TofuDestroy = "TofuDestroy";
    public const string SweepLeftovers = "SweepLeftovers";
    public const string FinishWipe = "FinishWipe";
    /// <summary>
    /// <see cref="Activities.AnnounceHandoverActivity"/>: announces the handover once ready (no token is minted). The
    /// name is older than the class and stays, because recorded histories name it.
    /// </summary>
    public const string MintHandover = "MintHandover";

    /// <summary>Raised by PUT .../kubeconfig; carries a reference (hash, size), never the kubeconfig.</summary>
    public const string KubeconfigReceivedEvent = "KubeconfigReceived";

    /// <summary>Raised by the replica whose Phase-1 watch saw the gate pass (or the watch fail to start): a
    /// <c>WatchConclusion</c>.</summary>
    public const string WatchConcludedEvent = "WatchConcluded";
}
