using System.Diagnostics;
using System.Text.Json;

namespace Catalyst.Testing;

/// <summary>
/// The repository's real SMTP server (npm <c>smtp-server</c>, tests/Testing/smtp-sink.mjs) as a process on 127.0.0.1 with an
/// OS-chosen port; each accepted message lands as a file that <see cref="WaitForMessageAsync"/> reads.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    public sealed record Message(string MailFrom, IReadOnlyList<string> RcptTo, string? User, string Raw);

    readonly Process process;
    readonly TaskCompletionSource<int> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    SmtpSink(Process process, string folder)
    {
        this.process = process;
        Folder = folder;
    }

    public string Folder { get; }
    public int Port => listening.Task.Result;

    public static async Task<SmtpSink> StartAsync(string? user = null, string? password = null)
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "Testing", "smtp-sink.mjs");
        if (!Directory.Exists(Path.Combine(RepoPaths.Root, "node_modules", "smtp-server")))
            throw new InvalidOperationException("smtp-server is not installed; run the README's test command, which runs npm ci.");
        var folder = Directory.CreateTempSubdirectory("smtp-sink-").FullName;
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        start.ArgumentList.Add(script);
        start.Environment["OUT_DIR"] = folder;
        if (user is not null) start.Environment["SMTP_USER"] = user;
        if (password is not null) start.Environment["SMTP_PASS"] = password;
        var process = new Process { StartInfo = start };
        var sink = new SmtpSink(process, folder);
        process.OutputDataReceived += (_, e) =>
        {
            const string marker = "smtp-sink listening on 127.0.0.1:";
            if (e.Data?.StartsWith(marker, StringComparison.Ordinal) == true && int.TryParse(e.Data[marker.Length..], out var port)) sink.listening.TrySetResult(port);
        };
        process.ErrorDataReceived += (_, _) => { };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => sink.Stop();
        await Wait.UntilAsync(() => process.HasExited || sink.listening.Task.IsCompleted, TimeSpan.FromSeconds(30), "the SMTP sink to listen");
        if (process.HasExited) throw new InvalidOperationException($"smtp-sink exited with {process.ExitCode}");
        return sink;
    }

    public IReadOnlyList<Message> Messages() =>
        Directory.GetFiles(Folder, "*.json").OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture))
            .Select(f => JsonSerializer.Deserialize<Message>(File.ReadAllText(f), new JsonSerializerOptions(JsonSerializerDefaults.Web))!).ToList();

    /// <summary>The first message to <paramref name="recipient"/>, once it has arrived.</summary>
    public Task<Message> WaitForMessageAsync(string recipient, TimeSpan timeout) =>
        Wait.ForAsync(() => Task.FromResult(Messages().FirstOrDefault(m => m.RcptTo.Contains(recipient, StringComparer.OrdinalIgnoreCase))), timeout, $"an email to {recipient}");

    void Stop()
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await process.WaitForExitAsync();
        process.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // left in the temp folder
        }
    }
}
