using System.Text.RegularExpressions;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// Reads tofu's stderr for failures that a later run may not meet: the state lock held by another run, or the
/// state backend answering 5xx or not at all. Everything else (bad token, quota, invalid configuration) needs a
/// person, and retrying it only burns time.
/// </summary>
public static partial class TofuFailures
{
    public static bool IsTransient(string line) =>
        line.Contains("Error acquiring the state lock", StringComparison.Ordinal) || BackendTrouble().IsMatch(line);

    // Messages of tofu's http backend and the retrying HTTP client under it, and Go's network timeouts.
    [GeneratedRegex(
        @"(HTTP error|HTTP response code|status code)\W{0,3}5\d\d\b|giving up after \d+ attempt|context deadline exceeded|i/o timeout|Client\.Timeout exceeded|TLS handshake timeout|connection refused|connection reset by peer",
        RegexOptions.IgnoreCase)]
    private static partial Regex BackendTrouble();
}
