using System.Collections.Concurrent;
using System.Diagnostics;
using Catalyst.Testing;

namespace Catalyst.Deploy.Tests;

/// <summary>
/// Renders deploy/keda overlays with <c>kubectl kustomize</c>, as an operator's <c>kubectl apply -k</c> would. The kubectl is
/// the one on PATH (or <c>KUBECTL</c>): Debian's kubernetes-client (1.20, built-in kustomize v2.0.3) on a fresh machine,
/// which .ci/run and scripts/test.sh install, or a newer one; the manifests use only fields both understand.
/// </summary>
public static class Kustomize
{
    public static string KedaRoot { get; } = Path.Combine(RepoPaths.Root, "deploy", "keda");

    /// <summary>Every folder under deploy/keda/overlays with a kustomization.yaml: a new overlay is tested without a test change.</summary>
    public static IReadOnlyList<string> Overlays { get; } =
        Directory.GetDirectories(Path.Combine(KedaRoot, "overlays"))
            .Where(d => File.Exists(Path.Combine(d, "kustomization.yaml")))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    public static TheoryData<string> OverlayNames()
    {
        var data = new TheoryData<string>();
        foreach (var overlay in Overlays) data.Add(overlay);
        return data;
    }

    static readonly ConcurrentDictionary<string, Lazy<string>> Cache = new();

    /// <summary>The overlay's rendered YAML (cached per test run).</summary>
    public static string Render(string overlay) =>
        Cache.GetOrAdd(overlay, o => new Lazy<string>(() => Run(Path.Combine(KedaRoot, "overlays", o)))).Value;

    /// <summary>The rendered YAML in a file, for the node validator.</summary>
    public static string RenderToFile(string overlay)
    {
        var path = Path.Combine(Path.GetTempPath(), $"catalyst-deploy-{Environment.ProcessId}-{overlay}.yaml");
        File.WriteAllText(path, Render(overlay));
        return path;
    }

    public static string Kubectl => Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } k ? k : "kubectl";

    static string Run(string directory)
    {
        var start = new ProcessStartInfo(Kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(directory);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("could not start kubectl");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{Kubectl}' was not found ({e.Message}). Install it: apt-get install -y kubernetes-client (scripts/test.sh does when run as root).", e);
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kubectl kustomize {directory} did not finish within 2 minutes");
            }

            if (process.ExitCode != 0)
                throw new InvalidOperationException($"kubectl kustomize {directory} failed ({process.ExitCode}): {stderr.Result}");
            return stdout;
        }
    }
}
