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
            info = new TofuLockInfo(id, Text(root, "Operation"), Text(root, "Who"), Text(root, "Created"), Encoding.UTF8.GetString(body));
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
