namespace Catalyst.Domain.Deployments;

/// <summary>Go-style durations in messages, as the original printed them ("15m0s").</summary>
public static class Durations
{
    public static string Go(TimeSpan value) =>
        value.TotalHours >= 1 ? $"{(int)value.TotalHours}h{value.Minutes}m{value.Seconds}s"
        : value.TotalMinutes >= 1 ? $"{(int)value.TotalMinutes}m{value.Seconds}s"
        : $"{value.TotalSeconds:0.###}s";
}
