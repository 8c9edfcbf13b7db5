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
    /// <summary>
    /// 1.0: the first versioned release. Instances started before versioning carry "" and replay as 1.0. Always
    /// major.minor: the engine compares versions as
    /// <see cref="System.Version"/> only when both parse (else "10" &lt; "2").
    /// </summary>
    public const string Current = "1.0";

    /// <summary>Whether an instance's version (<c>context.Version</c>; "" before versioning) is at least
    /// <paramref name="minimum"/>.</summary>
    public static bool IsAtLeast(string? instanceVersion, string minimum) =>
        (System.Version.TryParse(instanceVersion, out var version) ? version
            : new System.Version(1, 0)) >= System.Version.Parse(minimum);
}
