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

    static readonly string[] UserSignals = ["unauthorized", "token is invalid", "invalid token", "forbidden",
        "resource_limit_exceeded", "limit exceeded", "quota", "server_limit", "project"];

    /// <summary>Who must act on a permanent failure: the user (their
    /// token, quota, project) or the operator (everything else).</summary>
    public static string ActorFor(TofuException e)
    {
        var text = (e.Message + "\n" + e.Detail).ToLowerInvariant();
        return UserSignals.Any(text.Contains) ? Deployments.Actors.User : Deployments.Actors.Operator;
    }

    /// <summary>The failure code the record carries, e.g. <c>tofu-apply-failed</c>.</summary>
    public static string CodeFor(TofuException e) => $"{e.Command.Replace(' ', '-')}-failed";

    // Messages of tofu's http backend and the retrying HTTP client under it, and Go's network timeouts.
    [GeneratedRegex(
        @"(HTTP error|HTTP response code|status code)\W{0,3}5\d\d\b|giving up after \d+ attempt|context deadline " +
        @"exceeded|i/o timeout|Client\.Timeout exceeded|TLS handshake timeout|connection refused|connection reset by " +
        @"peer",
        RegexOptions.IgnoreCase)]
    private static partial Regex BackendTrouble();
}
