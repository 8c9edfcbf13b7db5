namespace Catalyst.Domain.Flux;

/// <summary>What one HelmRelease looks like to the watch: its name and its <c>Ready</c> condition, if any.</summary>
public sealed record HelmReleaseSnapshot(string Name, string? ReadyStatus, string? Reason, string? Message);

/// <summary>Component states and how they are derived (reference B.7, <c>DeriveState</c>).</summary>
public static class ComponentStates
{
    public const string Pending = "pending";
    public const string Installing = "installing";
    public const string Installed = "installed";
    public const string Failed = "failed";
    public const string Degraded = "degraded";

    public const string BlueprintPrefix = "bp-";

    static readonly string[] FailedReasons = ["InstallFailed", "UpgradeFailed", "ChartPullError", "ChartLoadError",
        "ArtifactFailed"];
    static readonly string[] InstallingReasons = ["Progressing", "ReconcileStarted", "DependencyNotReady"];

    public static bool IsBlueprint(string name) => name.StartsWith(BlueprintPrefix, StringComparison.Ordinal);

    /// <summary>Component id = HelmRelease name without the <c>bp-</c> prefix.</summary>
    public static string ComponentId(string helmReleaseName) =>
        IsBlueprint(helmReleaseName) ? helmReleaseName[BlueprintPrefix.Length..] : helmReleaseName;

    public static string Derive(HelmReleaseSnapshot release)
    {
        switch (release.ReadyStatus)
        {
            case null: return Pending;
            case "True": return Installed;
            case "Unknown": return Installing;
        }
        var message = release.Message ?? "";
        if (message.Contains("dependency '", StringComparison.OrdinalIgnoreCase)
            && message.Contains("is not ready", StringComparison.OrdinalIgnoreCase))
            return Pending;
        if (FailedReasons.Contains(release.Reason)) return Failed;
        if (InstallingReasons.Contains(release.Reason)) return Installing;
        return Degraded;
    }

    public static bool IsTerminal(string state) => state is Installed or Failed;

    public static string LevelOf(string state) => state switch
    {
        Failed => "error",
        Degraded => "warn",
        _ => "info",
    };

    /// <summary>The event message: the HelmRelease's own Ready
    /// message, or the original's default for the state.</summary>
    public static string MessageOf(string state, string? readyMessage) =>
        !string.IsNullOrWhiteSpace(readyMessage) ? readyMessage : state switch
        {
            Pending => "HelmRelease observed, waiting for first reconcile",
            Installing => "Helm install in progress",
            Installed => "Helm install complete; Ready=True",
            Degraded => "Ready=False without InstallFailed/UpgradeFailed reason",
            _ => "Helm install failed",
        };
}
