using System.Diagnostics;
using System.Text.Json;

namespace Catalyst.Deploy.Tests;

/// <summary>Runs validate-manifests.mjs (kubernetes-models and ajv over KEDA's CRD schema) on rendered YAML files.</summary>
public static class NodeValidator
{
    public sealed record Result(string File, string? ApiVersion, string? Kind, string? Name, string? ValidatedBy, IReadOnlyList<string> Errors);

    public static IReadOnlyList<Result> Validate(params string[] files)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "validate-manifests.mjs"));
        foreach (var file in files) start.ArgumentList.Add(file);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("validate-manifests.mjs did not finish within 2 minutes");
        }

        if (process.ExitCode != 0)
            throw new InvalidOperationException($"validate-manifests.mjs failed ({process.ExitCode}): {stderr.Result}");

        using var report = JsonDocument.Parse(stdout);
        return report.RootElement.GetProperty("objects").EnumerateArray().Select(o => new Result(
            o.GetProperty("file").GetString()!,
            Text(o, "apiVersion"), Text(o, "kind"), Text(o, "name"), Text(o, "validatedBy"),
            o.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList())).ToList();
    }

    static string? Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
