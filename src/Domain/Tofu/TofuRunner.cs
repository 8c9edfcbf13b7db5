using System.Text.Json;
using Catalyst.Domain.Deployments;
using Microsoft.Extensions.Logging;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// Runs OpenTofu for one deployment the way the original did (reference B.5) — stage the module, write
/// tfvars, init, plan, apply, output — against the app's own state backend (DESIGN §5), with secrets only in
/// the child's environment (DESIGN §4). While tofu runs, the state lock's lease is renewed, so a lock
/// outlives a slow apply but not a dead one.
/// </summary>
public sealed class TofuRunner(TofuSettings settings, ITofuStateLock? stateLock = null,
    ILogger<TofuRunner>? log = null) : ITofuRunner
{
    /// <summary>Every secret of a run, however short: the runner's lines never leave it unredacted.</summary>
    public static Redactor RedactorFor(TofuInvocation invocation) => new(
        invocation.SecretVariables.Values.Append(invocation.Backend.Password)
            .Append(invocation.Backend.EncryptionPassphrase), minimumLength: 1);

    public TofuSettings Settings { get; } = settings;

    readonly SemaphoreSlim slots = new(settings.MaxParallel, settings.MaxParallel);
    readonly CancellationTokenSource stopping = new();
    readonly object runningGate = new();
    int running;
    TaskCompletionSource? idle;

    /// <summary>
    /// Interrupts every tofu of this process (SIGINT, then kill after <see cref="InterruptGrace"/>) and waits until
    /// each has exited, at most <paramref name="timeout"/>. The host calls it while its HTTP server still answers:
    /// an interrupted tofu saves the resource it was creating to the state backend — this very process — and a
    /// server that stopped first left that resource out of state (created twice by the next host).
    /// </summary>
    public async Task StopAllAsync(TimeSpan timeout)
    {
        Task wait;
        lock (runningGate)
        {
            idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (running == 0) idle.TrySetResult();
            wait = idle.Task;
        }
        await stopping.CancelAsync();
        try
        {
            await wait.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            log?.LogWarning("tofu did not exit within {Timeout} of the host stopping", timeout);
        }
    }

    public static readonly TofuPhase InitPhase = new("tofu-init", "Initialising OpenTofu working directory");
    public static readonly TofuPhase PlanPhase = new("tofu-plan",
        "Planning Hetzner resources (network, firewall, server, LB, DNS)");
    public static readonly TofuPhase ApplyPhase = new("tofu-apply",
        "Applying — this provisions real Hetzner resources, please wait");
    public static readonly TofuPhase OutputPhase = new("tofu-output", "Reading OpenTofu outputs");
    public static readonly TofuPhase DestroyPhase = new("tofu-destroy",
        "Destroying Hetzner resources (servers, load balancer, network, firewall)");

    /// <summary>Often enough that a superseded run stops within
    /// seconds; the 60 s lease survives many missed renewals.</summary>
    public TimeSpan LockRenewInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long tofu may take to save state and unlock after SIGINT before it is killed.</summary>
    public TimeSpan InterruptGrace { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Never waits: a slot if one is free, else null (and nothing started, nothing locked).</summary>
    public TofuSlot? TryTakeSlot() => slots.Wait(0) ? new TofuSlot(this, slots) : null;

    public async Task<TofuSlot?> TryTakeSlotAsync(TimeSpan wait, CancellationToken cancellationToken) =>
        await slots.WaitAsync(wait, cancellationToken) ? new TofuSlot(this, slots) : null;

    /// <summary>Free slots of this process now (for logs and tests).</summary>
    public int FreeSlots => slots.CurrentCount;

    public Task<TofuOutputs> ApplyAsync(TofuInvocation invocation, Func<TofuPhase, Task> onPhase,
        Func<TofuLine, Task> onLine, CancellationToken cancellationToken) =>
        ApplyIn(null, invocation, onPhase, onLine, cancellationToken);

    public Task<TofuOutputs> ApplyAsync(TofuSlot slot, TofuInvocation invocation, Func<TofuPhase, Task> onPhase,
        Func<TofuLine, Task> onLine, CancellationToken cancellationToken) =>
        ApplyIn(Mine(slot), invocation, onPhase, onLine, cancellationToken);

    public Task DestroyAsync(TofuInvocation invocation, Func<TofuPhase, Task> onPhase, Func<TofuLine, Task> onLine,
        CancellationToken cancellationToken) =>
        DestroyIn(null, invocation, onPhase, onLine, cancellationToken);

    public Task DestroyAsync(TofuSlot slot, TofuInvocation invocation, Func<TofuPhase, Task> onPhase,
        Func<TofuLine, Task> onLine, CancellationToken cancellationToken) =>
        DestroyIn(Mine(slot), invocation, onPhase, onLine, cancellationToken);

    TofuSlot Mine(TofuSlot slot) =>
        slot.Owner != this ? throw new ArgumentException("the slot belongs to another runner", nameof(slot))
        : slot.Freed ? throw new ObjectDisposedException(nameof(TofuSlot), "the slot was already freed")
        : slot;

    Task<TofuOutputs> ApplyIn(TofuSlot? slot, TofuInvocation invocation, Func<TofuPhase, Task> onPhase,
        Func<TofuLine, Task> onLine, CancellationToken cancellationToken) =>
        RunAsync(slot, invocation, TofuRunTag.Apply, onLine, cancellationToken, async run =>
        {
            await onPhase(InitPhase);
            await run.CommandAsync("init", ["-input=false", "-no-color"]);
            // Import what an earlier, killed run created but never wrote to state (TofuAdoption).
            if (invocation.Adoption is { } adoption)
                await TofuAdoption.AdoptAsync(adoption, invocation.Variables, run.Workdir,
                    () => run.CommandAsync("state", ["list", "-no-color"], captureStdout: true,
                        failure: "list tofu state"), cancellationToken);
            await onPhase(PlanPhase);
            await run.CommandAsync("plan", ["-input=false", "-no-color", "-out=tfplan"]);
            await onPhase(ApplyPhase);
            await run.CommandAsync("apply", ["-input=false", "-no-color", "-auto-approve", "tfplan"]);
            await onPhase(OutputPhase);
            return ParseOutputs(await run.CommandAsync("output", ["-json", "-no-color"], captureStdout: true,
                failure: "read tofu outputs"));
        });

    Task DestroyIn(TofuSlot? slot, TofuInvocation invocation, Func<TofuPhase, Task> onPhase,
        Func<TofuLine, Task> onLine, CancellationToken cancellationToken) =>
        RunAsync(slot, invocation, TofuRunTag.Destroy, onLine, cancellationToken, async run =>
        {
            await onPhase(InitPhase);
            await run.CommandAsync("init", ["-input=false", "-no-color"]);
            await onPhase(DestroyPhase);
            await run.CommandAsync("destroy", ["-input=false", "-no-color", "-auto-approve"]);
            return true;
        });

    /// <summary>
    /// The addresses tofu's state holds (<c>tofu state list</c>), after staging and init; nothing is locked or changed.
    /// It runs under an apply tag only so that its runner, like any, stops if a newer execution holds the lock.
    /// </summary>
    public Task<IReadOnlySet<string>> StateListAsync(TofuInvocation invocation, CancellationToken cancellationToken) =>
        RunAsync(null, invocation, TofuRunTag.Apply, _ => Task.CompletedTask, cancellationToken, async run =>
        {
            await run.CommandAsync("init", ["-input=false", "-no-color"]);
            return TofuAdoption.ParseStateList(await run.CommandAsync("state", ["list", "-no-color"],
                captureStdout: true, failure: "list tofu state"));
        });

    async Task<T> RunAsync<T>(TofuSlot? slot, TofuInvocation invocation, string operation, Func<TofuLine, Task> onLine,
        CancellationToken cancellationToken, Func<Run, Task<T>> steps)
    {
        lock (runningGate) running++;
        try
        {
            using var stopOrCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping.Token);
            return slot is null
                ? await RunWhenSlotFreeAsync(invocation, operation, onLine, stopOrCancel.Token, steps)
                : await RunInSlotAsync(invocation, TofuRunTag.New(operation, invocation.Run), onLine,
                    stopOrCancel.Token, steps);
        }
        finally
        {
            lock (runningGate)
                if (--running == 0) idle?.TrySetResult();
        }
    }

    async Task<T> RunWhenSlotFreeAsync<T>(TofuInvocation invocation, string operation, Func<TofuLine, Task> onLine,
        CancellationToken cancellationToken, Func<Run, Task<T>> steps)
    {
        if (!slots.Wait(0))
        {
            log?.LogInformation("tofu for {DeploymentId} waits: {Max} tofu runs already in this process ({Setting})",
                invocation.DeploymentId, Settings.MaxParallel, TofuSettings.MaxParallelSetting);
            await slots.WaitAsync(cancellationToken);
        }
        try
        {
            return await RunInSlotAsync(invocation, TofuRunTag.New(operation, invocation.Run), onLine,
                cancellationToken, steps);
        }
        finally
        {
            slots.Release();
        }
    }

    async Task<T> RunInSlotAsync<T>(TofuInvocation invocation, TofuRunTag tag, Func<TofuLine, Task> onLine,
        CancellationToken cancellationToken, Func<Run, Task<T>> steps)
    {
        var workdir = Prepare(invocation);
        var environment = TofuEnvironment.Build(
            Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => new KeyValuePair<string, string?>((string)e.Key, e.Value as string)),
            invocation with { Backend = invocation.Backend.Tagged(tag) }, Settings.EnvPassthrough);

        using var deadline = new CancellationTokenSource(Settings.Timeout);
        using var superseded = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token,
            superseded.Token);
        using var stopRenewing = new CancellationTokenSource();
        (string Reason, TofuLockCheck Found)? stopped = null;
        var renewal = RenewLockAsync(invocation.DeploymentId, tag.Execution, (reason, found) =>
        {
            stopped = (reason, found);
            superseded.Cancel();
        }, stopRenewing.Token);
        var run = new Run(this, workdir, environment, TofuRunner.RedactorFor(invocation), onLine, linked.Token);
        try
        {
            return await steps(run);
        }
        catch (OperationCanceledException)
            when (!cancellationToken.IsCancellationRequested && superseded.IsCancellationRequested)
        {
            // Taken over: transient, so that if this (stale) execution's result reaches the workflow before the current
            // one's, the workflow retries — an idempotent apply from the saved state — instead of failing the run. A
            // wipe's stop is final: the wipe has terminated the workflow and owns the state now.
            throw new TofuException(run.Current, $"tofu {run.Current}: stopped: {stopped!.Value.Reason}",
                transient: stopped.Value.Found == TofuLockCheck.TakenOver);
        }
        catch (OperationCanceledException)
            when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            // A hung provider or backend; a later attempt may well get through.
            throw new TofuException(run.Current, $"tofu {run.Current}: timed out after {Settings.Timeout}",
                transient: true);
        }
        finally
        {
            await stopRenewing.CancelAsync();
            await renewal;
            await ReleaseLeftoverLockAsync(invocation.DeploymentId, tag.Execution);
        }
    }

    // tofu killed after the interrupt grace never unlocked; its
    // process is gone, so nobody else should wait out the lease.
    async Task ReleaseLeftoverLockAsync(string deploymentId, string execution)
    {
        if (stateLock is null) return;
        try
        {
            await stateLock.ReleaseIfHeldByAsync(deploymentId, execution, CancellationToken.None);
        }
        catch (Exception e)
        {
            log?.LogWarning("Releasing the tofu state lock of {DeploymentId} after its run failed: {Problem}",
                deploymentId, e.Message);
        }
    }

    string Prepare(TofuInvocation invocation)
    {
        string workdir;
        try
        {
            workdir = TofuWorkdir.Create(Settings.WorkDirectory, invocation.DeploymentId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new TofuException("workdir", $"create workdir: {e.Message}", transient: false);
        }
        try
        {
            TofuWorkdir.StageModule(Settings.ModulePath, workdir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TofuException("stage", $"stage tofu module: {e.Message}", transient: false);
        }
        try
        {
            TofuWorkdir.WriteTfvars(workdir, invocation.Variables, invocation.SecretVariables.Keys);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new TofuException("tfvars", $"write tfvars: {e.Message}", transient: false);
        }
        return workdir;
    }

    async Task RenewLockAsync(string deploymentId, string execution, Action<string, TofuLockCheck> stopRun,
        CancellationToken stop)
    {
        if (stateLock is null) return;
        using var timer = new PeriodicTimer(LockRenewInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                TofuLockCheck check;
                try
                {
                    check = await stateLock.RenewLockAsync(deploymentId, execution, stop);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    // One missed renewal is harmless: the lease lasts many intervals. (A storage client's timeout is an
                    // OperationCanceledException too: it must not end the loop, or the run would never hear a stop.)
                    log?.LogWarning("Renewing the tofu state lock of {DeploymentId} failed: {Problem}",
                        deploymentId, e.Message);
                    continue;
                }
                var reason = check switch
                {
                    TofuLockCheck.TakenOver =>
                        "the state lock was taken over by a newer run or a wipe; this run is no longer current",
                    TofuLockCheck.StopRequested => "a wipe asked the running apply to stop",
                    _ => null,
                };
                if (reason is null) continue;
                log?.LogWarning("Stopping tofu for {DeploymentId}: {Reason}", deploymentId, reason);
                stopRun(reason, check);
                return;
            }
        }
        catch (OperationCanceledException)
        {
            // the run ended
        }
    }

    static TofuOutputs ParseOutputs(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new TofuException("output", "read tofu outputs: not a JSON object", transient: false);
            string Read(string name) =>
                document.RootElement.TryGetProperty(name, out var output) && output.ValueKind == JsonValueKind.Object
                && output.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String
                    ? value.GetString()!
                    : "";
            return new TofuOutputs(Read("control_plane_ip"), Read("load_balancer_ip"));
        }
        catch (JsonException e)
        {
            // The parser's message may quote the text, which may hold values: say where, not what.
            throw new TofuException("output",
                $"read tofu outputs: not valid JSON (line {e.LineNumber}, byte {e.BytePositionInLine})",
                transient: false);
        }
    }

    sealed class Run(TofuRunner runner, string workdir, IReadOnlyDictionary<string, string> environment,
        Redactor redactor,
        Func<TofuLine, Task> onLine, CancellationToken cancellationToken)
    {
        public string Current { get; private set; } = "init";

        /// <summary>Where this run's tofu works (staged by
        /// <see cref="TofuWorkdir"/>): the one place that knows the layout.</summary>
        public string Workdir => workdir;

        public async Task<string> CommandAsync(string command, IReadOnlyList<string> arguments,
            bool captureStdout = false, string? failure = null)
        {
            Current = command;
            var result = await TofuProcess.RunAsync(runner.Settings.Binary, workdir, environment, command,
                arguments, captureStdout,
                redactor, onLine, runner.InterruptGrace, cancellationToken);
            Metrics.CatalystMetrics.TofuExited(command, result.ExitCode, result.Transient);
            if (result.ExitCode != 0)
                throw new TofuException(command, $"{failure ?? "tofu " + command}: exit status {result.ExitCode}",
                    result.Transient, string.Join('\n', result.StderrTail));
            return result.CapturedStdout;
        }
    }
}

/// <summary>Keeps a run's state lock alive while its tofu runs, and tells the run when it is no longer current
/// (implemented by the state store).</summary>
public interface ITofuStateLock
{
    /// <summary>Renews the lease if <paramref name="execution"/> holds the lock, and says what it found.</summary>
    Task<TofuLockCheck> RenewLockAsync(string deploymentId, string execution, CancellationToken cancellationToken);

    /// <summary>Releases the lock if <paramref name="execution"/>
    /// still holds it (its tofu exited without unlocking).</summary>
    Task ReleaseIfHeldByAsync(string deploymentId, string execution, CancellationToken cancellationToken);
}
