using System.Globalization;

namespace Catalyst.Domain.Configuration;

/// <summary>
/// Typed reads of flat settings (environment variables, local.settings, host app settings). Durations accept
/// Go-style values like the original's env vars ("15m", "10s", "1h30m") and .NET TimeSpan text ("00:15:00").
/// </summary>
public static class Settings
{
    public static string? Text(Func<string, string?> read, string name)
    {
        var value = read(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public static string Text(Func<string, string?> read, string name, string fallback) => Text(read, name) ?? fallback;

    public static string Required(Func<string, string?> read, string name, string why) =>
        Text(read, name) ?? throw new SettingException(name, $"is required ({why})");

    public static int Int(Func<string, string?> read, string name, int fallback, int min = int.MinValue,
        int max = int.MaxValue)
    {
        var text = Text(read, name);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new SettingException(name, $"'{text}' is not a whole number");
        if (value < min || value > max)
            throw new SettingException(name, $"{value} is outside {min}..{max}");
        return value;
    }

    public static bool Bool(Func<string, string?> read, string name, bool fallback)
    {
        var text = Text(read, name);
        if (text is null) return fallback;
        return text.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw new SettingException(name, $"'{text}' is not true or false"),
        };
    }

    public static TimeSpan Duration(Func<string, string?> read, string name, TimeSpan fallback)
    {
        var text = Text(read, name);
        if (text is null) return fallback;
        if (!TryParseDuration(text, out var value) || value <= TimeSpan.Zero)
            throw new SettingException(name, $"'{text}' is not a positive duration (e.g. 15m, 10s, 1h30m or 00:15:00)");
        return value;
    }

    /// <summary>Parses "30d", "1h30m", "15m", "10s", "250ms" or a TimeSpan ("00:15:00").</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        text = text.Trim();
        if (text.Contains(':'))
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);

        var total = TimeSpan.Zero;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '.')) i++;
            if (start == i) return false;
            if (!double.TryParse(text.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture,
                out var number))
                return false;
            var unitStart = i;
            while (i < text.Length && char.IsLetter(text[i])) i++;
            var unit = text[unitStart..i];
            total += unit switch
            {
                "d" => TimeSpan.FromDays(number),
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "s" => TimeSpan.FromSeconds(number),
                "ms" => TimeSpan.FromMilliseconds(number),
                _ => TimeSpan.MinValue,
            };
            if (total < TimeSpan.Zero) return false;
        }
        value = total;
        return true;
    }
}
