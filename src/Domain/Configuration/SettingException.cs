namespace Catalyst.Domain.Configuration;

/// <summary>
/// A setting is missing or malformed. The message always names the setting, so an operator reading a
/// failed pod's log knows what to fix without reading code (DESIGN §7: fail fast, name it).
/// </summary>
public sealed class SettingException(string setting, string problem, Exception? inner = null)
    : Exception($"{setting}: {problem}", inner)
{
    public string Setting { get; } = setting;
}
