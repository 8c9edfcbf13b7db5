using System.Diagnostics;
using System.Globalization;

namespace Catalyst.Bench;

/// <summary>Percentiles over samples, and a process's CPU time and
/// peak RSS from /proc (Linux only, like the target pods).</summary>
public static class Measure
{
    public static double Percentile(IReadOnlyList<double> samples, double p)
    {
        if (samples.Count == 0) return double.NaN;
        var sorted = samples.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static string Ms(double value) =>
        double.IsNaN(value) ? "n/a" : value.ToString(value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    /// <summary>User+system seconds of the process itself, and of its reaped children (the tofu runs).</summary>
    public static (double Self, double Children) CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ", field 3 is index 0: utime is field 14, stime 15, cutime 16, cstime 17.
        double Tick(int field) => long.Parse(fields[field - 3], CultureInfo.InvariantCulture) / 100.0;
        return (Tick(14) + Tick(15), Tick(16) + Tick(17));
    }

    /// <summary>Peak resident set (VmHWM) in MiB.</summary>
    public static double PeakRssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
                    CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }

    public static string Machine()
    {
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var cpu = File.ReadLines("/proc/cpuinfo")
            .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                ?? "unknown cpu";
        return $"nproc {Environment.ProcessorCount} ({cpu}), " +
            $"memory {long.Parse(memory, CultureInfo.InvariantCulture) / 1024 / 1024.0:0.0} GiB, " +
            $"dotnet {DotnetVersion()}";
    }

    static string DotnetVersion()
    {
        using var p = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!;
        var version = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return version;
    }
}
