using System.Text.Json.Nodes;

namespace Catalyst.Sandbox;

/// <summary>
/// Turns the deployment's event stream (SSE from /logs) into lines a person follows: phases as headings, tofu's
/// output summarised to the resources it created, component transitions as they happen. tofu prints dozens of lines
/// per run; only what changed the world (a resource, the plan, the apply's result, a warning) is worth a line here.
/// </summary>
public sealed class SandboxProgress(TextWriter output)
{
    string? lastPhase;
    int quietTofuLines;

    public void Event(JsonObject e)
    {
        var phase = e["phase"]?.GetValue<string>() ?? "";
        var level = e["level"]?.GetValue<string>() ?? "info";
        var message = e["message"]?.GetValue<string>() ?? "";
        var time = e["time"] is { } t ? t.GetValue<DateTime>().ToLocalTime().ToString("HH:mm:ss") : "--:--:--";
        if (phase == "tofu")
        {
            if (level is "warn" or "error" || message.Contains("Creation complete") || message.StartsWith("Plan:")
                || message.StartsWith("Apply complete"))
                Line(time, "  tofu", Summarise(message), level);
            else quietTofuLines++;
            return;
        }
        FlushTofu();
        if (phase == "component")
        {
            var component = e["component"]?.GetValue<string>() ?? "?";
            var state = e["state"]?.GetValue<string>() ?? "?";
            Line(time, "  component", $"{component,-22} {state}", level);
            return;
        }
        if (phase != lastPhase) output.WriteLine($"── {phase} ──");
        lastPhase = phase;
        Line(time, "", message, level);
    }

    public void Done(JsonObject? state)
    {
        FlushTofu();
        var status = state?["status"]?.GetValue<string>() ?? "unknown";
        output.WriteLine($"══ {status.ToUpperInvariant()} ══");
        if (state?["result"] is JsonObject result)
            foreach (var key in new[] { "sovereignFQDN", "controlPlaneIP", "loadBalancerIP", "consoleURL",
                "handoverURL" })
                if (result[key] is { } v) output.WriteLine($"  {key,-16} {v}");
        if (state?["error"] is { } error) output.WriteLine($"  error            {error}");
        if (state?["sandbox"] is { } sandbox) output.WriteLine($"  sandbox          {sandbox}");
    }

    void FlushTofu()
    {
        if (quietTofuLines == 0) return;
        output.WriteLine($"           (tofu: {quietTofuLines} more line(s) of output)");
        quietTofuLines = 0;
    }

    static string Summarise(string tofuLine)
    {
        var at = tofuLine.IndexOf(": Creation complete", StringComparison.Ordinal);
        return at > 0
            ? $"+ {tofuLine[..at]} {tofuLine[(tofuLine.LastIndexOf('[') is var b and >= 0 ? b : tofuLine.Length)..]}"
            : tofuLine;
    }

    void Line(string time, string tag, string message, string level) =>
        output.WriteLine(
            $"{time} {tag}{(tag.Length > 0 ? " " : "")}" +
            $"{(level is "warn" or "error" ? level.ToUpperInvariant() + ": " : "")}{message}");
}
