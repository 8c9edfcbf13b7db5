using System.Diagnostics;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// Starts tofu so that it dies with this process. A host killed with SIGKILL runs no code, and its orphaned tofu
/// used to go on creating servers it could no longer record while the next host created them again (issue 21:
/// 12 creations for 6 resources). On Linux the child is started through util-linux's <c>setpriv --pdeathsig KILL</c>,
/// which sets PR_SET_PDEATHSIG and then execs tofu (same pid, so SIGINT still reaches tofu itself). The kernel sends
/// that signal when the thread that forked the child ends — not only the process — so every child is forked from
/// one dedicated thread that lives as long as the process; a thread-pool thread retiring would kill a running apply.
/// Where setpriv is missing (not Linux), tofu starts directly and the start-up check says so. Part of the fix for the
/// seed's otech64 (a host gone mid-apply leaking Hetzner resources).
/// </summary>
public static class ChildLauncher
{
    static readonly System.Collections.Concurrent.BlockingCollection<(Process Process, TaskCompletionSource Started)>
        Pending = new();
    static readonly Lazy<Thread> Spawner = new(() =>
    {
        var thread = new Thread(() =>
        {
            foreach (var (process, started) in Pending.GetConsumingEnumerable())
            {
                try
                {
                    process.Start();
                    started.SetResult();
                }
                catch (Exception e)
                {
                    started.SetException(e);
                }
            }
        }) { IsBackground = true, Name = "child-launcher" };
        thread.Start();
        return thread;
    });

    /// <summary>The setpriv that ties a child's life to ours, or null where there is none.</summary>
    public static string? ParentDeathGuard { get; } = OperatingSystem.IsLinux() ? Resolve("setpriv") : null;

    /// <summary>
    /// coreutils' env, which starts the child with SIGINT at its default. A process started with SIGINT ignored (any
    /// background job of a non-interactive shell: bash ignores SIGINT for those) passes the ignore on through fork and
    /// exec, and then the SIGINT that lets tofu save its state and unlock never arrives (found when the recovery tests
    /// ran from a background loop: every interrupt became a kill after the grace, and the resource in flight was lost).
    /// </summary>
    static readonly string? DefaultSignals = OperatingSystem.IsLinux() ? Resolve("env") : null;

    public static string FileName(string executable) => ParentDeathGuard ?? DefaultSignals ?? executable;

    public static IEnumerable<string> Arguments(string executable)
    {
        var chain = new List<string>();
        if (ParentDeathGuard is not null) chain.AddRange(["--pdeathsig", "KILL", "--"]);
        if (DefaultSignals is not null)
        {
            if (ParentDeathGuard is not null) chain.Add(DefaultSignals);
            chain.AddRange(["--default-signal=INT", "--"]);
        }
        if (chain.Count > 0) chain.Add(executable);
        return chain;
    }

    public static Task StartAsync(Process process)
    {
        _ = Spawner.Value;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Pending.Add((process, started));
        return started.Task;
    }

    /// <summary>The full path of <paramref name="binary"/> (a path, or a
    /// name looked up on PATH), or null when it is not there.</summary>
    public static string? Resolve(string binary)
    {
        if (binary.Contains('/') || binary.Contains('\\'))
            return File.Exists(binary) ? Path.GetFullPath(binary) : null;
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator,
            StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, binary);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
