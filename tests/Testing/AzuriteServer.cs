using System.Diagnostics;

namespace Catalyst.Testing;

/// <summary>
/// Azurite from the repository's pinned npm package, on free loopback ports, in memory. One per test process
/// (<see cref="Shared"/>); tests isolate themselves with their own task hub names and containers.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    const string Account = "devstoreaccount1";
    const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    static readonly Lazy<Task<AzuriteServer>> shared = new(() => StartAsync());

    readonly Process process;

    AzuriteServer(Process process, int blobPort, int queuePort, int tablePort)
    {
        this.process = process;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{Account};QueueEndpoint=http://127.0.0.1:{QueuePort}/{Account};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{Account};";

    public static Task<AzuriteServer> Shared => shared.Value;

    /// <summary>
    /// With <paramref name="dataDirectory"/> the data survives the process; with <paramref name="ports"/> a restarted
    /// Azurite comes back where its clients look for it (fault runs kill and restart it under a live app).
    /// </summary>
    public static async Task<AzuriteServer> StartAsync(string? dataDirectory = null, (int Blob, int Queue, int Table)? ports = null)
    {
        var azurite = Path.Combine(RepoPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(azurite))
            throw new InvalidOperationException($"Azurite is not installed ({azurite}); run the README's test command, which runs npm ci.");
        var (blob, queue, table) = ports ?? (FreePort.Next(), FreePort.Next(), FreePort.Next());
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "azurite-with-parent.mjs"), Environment.ProcessId.ToString(), azurite, "--silent", "--skipApiVersionCheck", "--loose",
                     "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(),
                     "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(),
                     "--tableHost", "127.0.0.1", "--tablePort", table.ToString(),
                 })
            start.ArgumentList.Add(arg);
        if (dataDirectory is null) start.ArgumentList.Add("--inMemoryPersistence");
        else
        {
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(dataDirectory);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new AzuriteServer(process, blob, queue, table);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        await Wait.UntilAsync(() => process.HasExited || (FreePort.Answers(blob) && FreePort.Answers(queue) && FreePort.Answers(table)),
            TimeSpan.FromSeconds(30), "Azurite to listen");
        if (process.HasExited) throw new InvalidOperationException($"Azurite exited with {process.ExitCode}");
        return server;
    }

    /// <summary>
    /// A new Azurite on the same ports and data directory, after this one is stopped: by SIGTERM (a clean stop that
    /// saves everything acknowledged) or, with <paramref name="kill"/>, by SIGKILL — which loses up to Azurite's 5 s
    /// of acknowledged-but-unsaved writes, a failure real Azure Storage does not have.
    /// </summary>
    public async Task<AzuriteServer> RestartAsync(string dataDirectory, bool kill = false)
    {
        if (kill || !Terminate()) Stop();
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            try { await process.WaitForExitAsync(patience.Token); }
            catch (OperationCanceledException) { Stop(); await process.WaitForExitAsync(); }
        }
        await Wait.UntilAsync(() => !FreePort.Answers(BlobPort) && !FreePort.Answers(QueuePort) && !FreePort.Answers(TablePort),
            TimeSpan.FromSeconds(30), "the old Azurite to let go of its ports");
        return await StartAsync(dataDirectory, (BlobPort, QueuePort, TablePort));
    }

    bool Terminate() => !process.HasExited && kill(process.Id, 15) == 0;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    public void Stop()
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

    public ValueTask DisposeAsync()
    {
        Stop();
        process.Dispose();
        return ValueTask.CompletedTask;
    }
}
