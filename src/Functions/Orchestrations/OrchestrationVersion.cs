namespace Catalyst.Functions.Orchestrations;

/// <summary>
/// The orchestration code's version (issue 19). host.json's <c>durableTask:defaultVersion</c> must equal
/// <see cref="Current"/>: both hosts stamp new instances with it, and with <c>versionMatchStrategy: CurrentOrOlder</c>
/// a replica runs only instances of its version or older, abandoning newer ones to a newer replica. So during a
/// rolling update an old replica never replays a provision a new replica started. The other direction — new code
/// replaying an older instance's history — is this code's duty: a change that alters the sequence of durable calls
/// (activities, timers, events, ContinueAsNew) raises <see cref="Current"/> and keeps the older sequence behind
/// <c>context.Version</c> (<see cref="IsAtLeast"/>) until no instance of that version can still be running.
/// </summary>
public static class OrchestrationVersion
{
    /// <summary>1: the first versioned release. Instances started before versioning carry "" and replay as version 1.</summary>
    public const string Current = "1";

    /// <summary>Whether an instance's version (from <c>context.Version</c>; "" for pre-versioning instances) is at least <paramref name="minimum"/>.</summary>
    public static bool IsAtLeast(string? instanceVersion, int minimum) =>
        (int.TryParse(instanceVersion, out var version) ? version : 1) >= minimum;
}
