namespace Catalyst.Domain.Tofu;

/// <summary>
/// Everything one tofu run needs. <see cref="Variables"/> go to tofu.auto.tfvars.json (mode 0600, no secrets);
/// <see cref="SecretVariables"/> go only into the child's environment as <c>TF_VAR_&lt;name&gt;</c> (DESIGN §4).
/// </summary>
public sealed record TofuInvocation(
    string DeploymentId,
    IReadOnlyDictionary<string, object?> Variables,
    IReadOnlyDictionary<string, string> SecretVariables,
    TofuBackend Backend,
    int Run = 0)
{
    /// <summary>The Hetzner API tofu's hcloud provider talks to (<c>HCLOUD_ENDPOINT</c>, e.g.
    /// <c>http://127.0.0.1:1234/v1</c>); null = the provider's default.</summary>
    public string? HetznerEndpoint { get; init; }

    /// <summary>When set, apply adopts what an earlier run left out of state before it plans
    /// (<see cref="TofuAdoption"/>).</summary>
    public TofuAdoptionSource? Adoption { get; init; }
}

/// <summary>
/// The app's own http state backend for this deployment (DESIGN §5), handed to tofu through <c>TF_HTTP_*</c>
/// environment variables — never <c>-backend-config</c>, which tofu saves in plain text under .terraform/.
/// <see cref="EncryptionPassphrase"/> feeds OpenTofu's state encryption through <c>TF_ENCRYPTION</c>.
/// </summary>
public sealed record TofuBackend(string StateAddress, string LockAddress, string Username, string Password,
    string EncryptionPassphrase)
{
    /// <summary>The same backend with the run's tag in both addresses: tofu
    /// keeps their query and adds <c>ID=</c> to state writes.</summary>
    public TofuBackend Tagged(TofuRunTag tag) => this with { StateAddress = WithQuery(StateAddress, tag.Query),
        LockAddress = WithQuery(LockAddress, tag.Query) };

    static string WithQuery(string address, string query) => address + (address.Contains('?') ? '&' : '?') + query;
}

public enum TofuStream { Stdout, Stderr }

/// <summary>One output line of a tofu command, already trimmed and non-empty.</summary>
public sealed record TofuLine(string Command, TofuStream Stream, string Text);

/// <summary>A phase of a run (reference B.5: tofu-init, tofu-plan,
/// tofu-apply, tofu-output) with the original's message.</summary>
public sealed record TofuPhase(string Name, string Message);

/// <summary>What the app reads from <c>tofu output -json</c>; a missing output is "" as in the original.</summary>
public sealed record TofuOutputs(string ControlPlaneIp, string LoadBalancerIp);

/// <summary>
/// A tofu command failed. <see cref="Transient"/> says whether running it again may succeed (state lock held by a
/// live holder, network, provider rate limit) or a person must act (bad token, quota, invalid configuration).
/// </summary>
public sealed class TofuException(string command, string message, bool transient, string? detail = null)
    : Exception(message)
{
    public string Command { get; } = command;
    public bool Transient { get; } = transient;
    public string? Detail { get; } = detail;
}

public interface ITofuRunner
{
    /// <summary>
    /// One of this process's tofu slots (<c>CATALYST_TOFU_MAX_PARALLEL</c>) if one is free now, else null at once: the
    /// activities ask this first, and without a slot they hand their work back to the queue instead of waiting for one
    /// here (issue 16), so another replica can take it. Dispose the slot to free it.
    /// </summary>
    TofuSlot? TryTakeSlot();

    /// <summary>
    /// A slot if one frees within <paramref name="wait"/>, else null. The activities wait this briefly
    /// (<see cref="TofuSlot.LocalWait"/>) before handing their work back: a slot freed a moment later is taken here
    /// instead of after a durable wait, which keeps the "no slot" answers — each a few workflow steps — to a handful
    /// when hundreds of applies queue (the watch benchmark's 300 provisions at once saturated Azurite with them).
    /// </summary>
    Task<TofuSlot?> TryTakeSlotAsync(TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Stages the module, then init, plan, apply, output. Idempotent given the state: a second run changes
    /// nothing. Waits for a free slot of this process.</summary>
    Task<TofuOutputs> ApplyAsync(TofuInvocation invocation, Func<TofuPhase, Task> onPhase, Func<TofuLine, Task> onLine,
        CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="ApplyAsync(TofuInvocation, Func{TofuPhase, Task}, Func{TofuLine, Task}, CancellationToken)"/>
    /// in a slot already taken.
    /// </summary>
    Task<TofuOutputs> ApplyAsync(TofuSlot slot, TofuInvocation invocation, Func<TofuPhase, Task> onPhase,
        Func<TofuLine, Task> onLine, CancellationToken cancellationToken);

    /// <summary>Stages the module, then init and destroy against the
    /// same state. Waits for a free slot of this process.</summary>
    Task DestroyAsync(TofuInvocation invocation, Func<TofuPhase, Task> onPhase, Func<TofuLine, Task> onLine,
        CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="DestroyAsync(TofuInvocation, Func{TofuPhase, Task}, Func{TofuLine, Task}, CancellationToken)"/>
    /// in a slot already taken.
    /// </summary>
    Task DestroyAsync(TofuSlot slot, TofuInvocation invocation, Func<TofuPhase, Task> onPhase,
        Func<TofuLine, Task> onLine, CancellationToken cancellationToken);

    /// <summary>Stages the module, then init and <c>tofu state list</c>: the addresses the state holds.</summary>
    Task<IReadOnlySet<string>> StateListAsync(TofuInvocation invocation, CancellationToken cancellationToken);
}

/// <summary>
/// One tofu slot of a runner, held from <see cref="ITofuRunner.TryTakeSlot"/> until disposed (disposing twice frees it
/// once). A run given a slot neither waits for nor frees one: the holder does, after the run.
/// </summary>
public sealed class TofuSlot : IDisposable
{
    /// <summary>How long an activity waits on its replica for a
    /// slot before answering "no slot here" (issue 16).</summary>
    public static readonly TimeSpan LocalWait = TimeSpan.FromSeconds(10);

    readonly SemaphoreSlim slots;
    int freed;

    internal TofuSlot(object owner, SemaphoreSlim slots)
    {
        Owner = owner;
        this.slots = slots;
    }

    internal object Owner { get; }

    internal bool Freed => Volatile.Read(ref freed) != 0;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref freed, 1) == 0) slots.Release();
    }
}
