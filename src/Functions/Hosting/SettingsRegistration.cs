using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// The one way a settings type is registered (issue 20): built once, by its own <c>From</c>, through the options
/// pattern with <c>ValidateOnStart</c>. <see cref="StartupChecks"/> runs every registered validation before either host
/// serves, so no settings type can be missed by a hand-kept list, and a malformed value (a <c>SettingException</c>
/// naming it) stops the start with one line. Consumers inject the settings value itself; nothing re-reads configuration
/// later.
/// </summary>
public static class SettingsRegistration
{
    public static IServiceCollection AddSettings<T>(this IServiceCollection services, Func<IServiceProvider, T> from,
        Action<T>? validate = null)
        where T : class
    {
        services.AddSingleton<IOptionsFactory<T>>(sp => new FromSettings<T>(() =>
        {
            var value = from(sp);
            validate?.Invoke(value);
            return value;
        }));
        services.AddOptions<T>().ValidateOnStart();
        // One instance: the monitor's cache is what the start-up validation filled.
        services.AddSingleton(sp => sp.GetRequiredService<IOptionsMonitor<T>>().CurrentValue);
        return services;
    }

    /// <summary>The settings reader every <c>From</c> takes: flat
    /// keys, as environment variables and app settings are.</summary>
    public static Func<string, string?> Reader(this IConfiguration configuration) => key => configuration[key];

    /// <summary>Builds the value with the type's own factory; options'
    /// default factory needs a parameterless constructor.</summary>
    sealed class FromSettings<T>(Func<T> create) : IOptionsFactory<T> where T : class
    {
        public T Create(string name) => create();
    }
}
