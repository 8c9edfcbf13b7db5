using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tofu;

/// <summary>How one tofu command ended.</summary>
public sealed record TofuCommandResult(int ExitCode, string CapturedStdout, IReadOnlyList<string> StderrTail,
    bool Transient);

/// <summary>
/// Runs one tofu command as a child process and streams its output. Lines are trimmed, empty ones skipped,
/// secrets redacted, and each stream delivered in order; <paramref name="captureStdout"/> keeps stdout
/// instead (for <c>output -json</c>, which may hold values). On cancellation tofu gets SIGINT first — tofu
/// then finishes what it has in flight, saves state and releases its lock — and is killed only if it is
/// still there after the grace period. tofu never outlives this process (see <see cref="ChildLauncher"/>).
/// </summary>
public static class TofuProcess
{
    public const int StderrTailLines = 20;
    const int MaxLineChars = 1 << 20;
    const int MaxCapturedChars = 16 << 20;

    public static async Task<TofuCommandResult> RunAsync(
        string binary, string workdir, IReadOnlyDictionary<string, string> environment, string command,
        IReadOnlyList<string> arguments,
        bool captureStdout, Redactor redactor, Func<TofuLine, Task> onLine, TimeSpan interruptGrace,
        CancellationToken cancellationToken)
    {
        var executable = ChildLauncher.Resolve(binary)
                         ?? throw new TofuException(command,
                             $"tofu {command}: cannot start {binary}: no such executable", transient: false);
        var start = new ProcessStartInfo(ChildLauncher.FileName(executable))
        {
            WorkingDirectory = workdir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var prefix in ChildLauncher.Arguments(executable)) start.ArgumentList.Add(prefix);
        start.ArgumentList.Add(command);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment.Clear();
        foreach (var (name, value) in environment) start.Environment[name] = value;

        using var process = new Process { StartInfo = start };
        try
        {
            await ChildLauncher.StartAsync(process);
        }
        catch (Win32Exception e)
        {
            throw new TofuException(command, $"tofu {command}: cannot start {binary}: {e.Message}", transient: false);
        }
        // -input=false already; a closed stdin makes sure nothing ever waits for a keyboard.
        process.StandardInput.Close();

        var sink = new LineSink(command, redactor, onLine);
        var captured = new StringBuilder();
        var stdout = captureStdout
            ? CaptureAsync(process.StandardOutput, captured)
            : sink.PumpAsync(process.StandardOutput, TofuStream.Stdout);
        var stderr = sink.PumpAsync(process.StandardError, TofuStream.Stderr);

        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await InterruptAsync(process, interruptGrace);
            await DrainAsync(stdout, stderr);
            throw;
        }
        await DrainAsync(stdout, stderr);
        sink.ThrowIfDeliveryFailed();
        if (captured.Length > MaxCapturedChars)
            throw new TofuException(command, $"tofu {command}: output larger than {MaxCapturedChars} characters",
                transient: false);
        return new TofuCommandResult(process.ExitCode, captured.ToString(), sink.StderrTail, sink.Transient);
    }

    static async Task InterruptAsync(Process process, TimeSpan grace)
    {
        if (process.HasExited) return;
        if (!OperatingSystem.IsWindows()) _ = kill(process.Id, SigInt);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    // A provider plugin that outlives tofu could hold the pipes open; do not wait for it forever.
    static async Task DrainAsync(Task stdout, Task stderr)
    {
        try
        {
            await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // lines after this point are lost; the exit code still decides
        }
    }

    static async Task CaptureAsync(StreamReader reader, StringBuilder captured)
    {
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer, CancellationToken.None)) > 0)
            if (captured.Length <= MaxCapturedChars) captured.Append(buffer, 0, read);
    }

    const int SigInt = 2;

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    /// <summary>Turns raw lines into redacted <see cref="TofuLine"/>s,
    /// one delivery at a time across both streams.</summary>
    sealed class LineSink(string command, Redactor redactor, Func<TofuLine, Task> onLine)
    {
        readonly SemaphoreSlim gate = new(1, 1);
        readonly Queue<string> tail = new();
        Exception? deliveryFailure;
        volatile bool transient;

        public bool Transient => transient;

        public IReadOnlyList<string> StderrTail
        {
            get
            {
                lock (tail) return tail.ToList();
            }
        }

        public async Task PumpAsync(StreamReader reader, TofuStream stream)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } raw)
            {
                var text = raw.Trim();
                if (text.Length == 0) continue;
                // Redact before truncating, so a cut never leaves half a secret behind.
                text = redactor.Redact(text);
                if (text.Length > MaxLineChars) text = text[..MaxLineChars];
                if (stream == TofuStream.Stderr)
                {
                    if (TofuFailures.IsTransient(text)) transient = true;
                    lock (tail)
                    {
                        tail.Enqueue(text);
                        if (tail.Count > StderrTailLines) tail.Dequeue();
                    }
                }
                await DeliverAsync(new TofuLine(command, stream, text));
            }
        }

        async Task DeliverAsync(TofuLine line)
        {
            await gate.WaitAsync();
            try
            {
                // After a failed delivery keep draining, or tofu blocks on a full pipe.
                if (deliveryFailure is null) await onLine(line);
            }
            catch (Exception e)
            {
                deliveryFailure = e;
            }
            finally
            {
                gate.Release();
            }
        }

        public void ThrowIfDeliveryFailed()
        {
            if (deliveryFailure is not null)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(deliveryFailure);
        }
    }
}
