using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// The lock description tofu's http backend sends when it locks and unlocks
/// (<c>{ID, Operation, Info, Who, Version, Created, Path}</c>). <see cref="Raw"/> is the body as received: a
/// competing tofu gets it back verbatim in the 423 answer and prints it as "Lock Info".
/// </summary>
public sealed record TofuLockInfo(string Id, string Operation, string Who, string Created, string Raw)
{
    public static bool TryParse(ReadOnlySpan<byte> body, out TofuLockInfo? info)
    {
        info = null;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            var id = Text(root, "ID");
            if (string.IsNullOrWhiteSpace(id)) return false;
            info = new TofuLockInfo(id, Text(root, "Operation"), Text(root, "Who"), Text(root, "Created"),
                Encoding.UTF8.GetString(body));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    /// <summary>
    /// The blob lease id that stands for a tofu lock id: the first 16 bytes of its SHA-256 as a GUID. Derived,
    /// not stored, so a state write carrying <c>?ID=</c> proves it holds the lock without any lookup.
    /// </summary>
    public static Guid LeaseIdFor(string lockId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes(lockId)).AsSpan(0, 16));
}

/// <summary>The outcome of a lock, unlock or state write.</summary>
public enum TofuLockOutcome
{
    /// <summary>Done: locked, unlocked, or state written.</summary>
    Done,

    /// <summary>Someone else holds the lock (<see cref="TofuLockResult.Holder"/> says who, when known).</summary>
    HeldByOther,

    /// <summary>A state write came without a lock id.</summary>
    NotLocked,
}

public sealed record TofuLockResult(TofuLockOutcome Outcome, TofuLockInfo? Holder = null)
{
    public static readonly TofuLockResult Done = new(TofuLockOutcome.Done);
}

/// <summary>
/// Which tofu run asks for the state lock: its operation (<c>apply</c> or <c>destroy</c>), the deployment's run
/// number and one execution of the activity that started tofu. The runner puts it in the backend addresses as
/// <c>?op=&amp;run=&amp;exec=</c> (tofu keeps a configured address's query), the store records it beside the
/// holder, and it is what lets a new execution take the lock of one that is provably gone (issue 21).
/// </summary>
public sealed record TofuRunTag(string Operation, int Run, string Execution)
{
    public const string Apply = "apply";
    public const string Destroy = "destroy";

    public static TofuRunTag New(string operation, int run) => new(operation, run, Guid.NewGuid().ToString("N")[..16]);

    public string Query => $"op={Operation}&run={Run}&exec={Execution}";

    /// <summary>Null when no tag was given (an operator's own
    /// tofu); false when one was given but is malformed.</summary>
    public static bool TryParse(string? operation, string? run, string? execution, out TofuRunTag? tag)
    {
        tag = null;
        if (string.IsNullOrEmpty(operation) && string.IsNullOrEmpty(run) && string.IsNullOrEmpty(execution))
            return true;
        if (operation is not (Apply or Destroy)
            || !int.TryParse(run, System.Globalization.NumberStyles.None, null, out var number) || number < 0
            || execution is not { Length: >= 8 and <= 32 } || !execution.All(char.IsAsciiLetterOrDigit))
            return false;
        tag = new TofuRunTag(operation, number, execution);
        return true;
    }

    /// <summary>
    /// Whether <paramref name="requester"/> may take the lock from <paramref name="holder"/> at once instead of
    /// waiting for its lease to lapse. Only one execution of a deployment's tofu activity is alive at a time (the
    /// engine keeps its work item locked while it runs), so an earlier execution of the same or an older run that
    /// still holds the lock is gone — its host died, and its tofu with it (PR_SET_PDEATHSIG) — or it is stale, and
    /// a wipe's destroy overrides an apply. A destroy is never
    /// overtaken by an apply; untagged holders keep their lease.
    /// </summary>
    public static bool MayTakeOver(TofuRunTag? holder, TofuRunTag? requester) =>
        holder is not null && requester is not null
        && holder.Execution != requester.Execution
        && requester.Run >= holder.Run
        && !(holder.Operation == Destroy && requester.Operation == Apply);
}

/// <summary>What a run's tofu finds when it renews the lock it holds.</summary>
public enum TofuLockCheck
{
    /// <summary>This execution holds the lock; its lease was renewed.</summary>
    Renewed,

    /// <summary>Nobody holds a live lock (between two tofu commands, or after unlock).</summary>
    Free,

    /// <summary>This execution holds the lock and a wipe asked it to stop.</summary>
    StopRequested,

    /// <summary>Another execution holds the lock: this run is no longer current and must stop.</summary>
    TakenOver,
}
