using Catalyst.Domain.Configuration;
using Catalyst.Domain.Dns;
using Catalyst.Domain.Registrars;
using Catalyst.Domain.Subdomains;
using Catalyst.Domain.Wizard;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// DNS, subdomain reservations and the wizard's helper endpoints. Settings are read here, once, so a malformed
/// base URL or TTL stops the host at start with a message naming the setting.
/// </summary>
public static class DnsServices
{
    public static IServiceCollection AddDns(this IServiceCollection services, IConfiguration configuration)
    {
        string? Read(string key) => configuration[key];
        services.AddSingleton(ManagedDomains.From(Read));
        services.AddSingleton(DynadotAccount.From(Read));
        services.AddSingleton(new DynadotEndpoint(BaseUrl(Read, DynadotEndpoint.Setting, DynadotEndpoint.Default)));
        services.AddSingleton(new HetznerEndpoint(BaseUrl(Read, HetznerEndpoint.Setting, HetznerEndpoint.Default)));
        services.AddSingleton(new ObjectStorageCheck(ObjectStorageEndpoint.From(Read)));
        var ttl = Settings.Duration(Read, SubdomainReservations.TtlSetting, SubdomainReservations.DefaultTtl);
        services.AddSingleton(ReservedSubdomains.From(Read));

        services.AddHttpClient<DynadotClient>(c => c.Timeout = Timeout.InfiniteTimeSpan)
            // The default logging handlers write request URLs; Dynadot's carry the key and secret in the query.
            .RemoveAllLoggers()
            .AddStandardResilienceHandler(o =>
            {
                o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(30); // the original's Dynadot client timeout
                o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(15);
                o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(60);
                o.Retry.MaxRetryAttempts = 2;
                o.Retry.Delay = TimeSpan.FromMilliseconds(500);
                // Reads retry on any transient failure. A write is retried only when Dynadot said it did not act
                // (429): a write that timed out may have landed, and the activity's own retry re-reads first.
                o.Retry.ShouldHandle = args => ValueTask.FromResult(
                    args.Context.GetRequestMessage()?.Options.TryGetValue(DynadotClient.SafeToRetry, out var safe) == true && safe
                        ? HttpClientResiliencePredicates.IsTransient(args.Outcome)
                        : args.Outcome.Result?.StatusCode == System.Net.HttpStatusCode.TooManyRequests);
            });
        // One quick answer for a wizard click: no retries, the original's 10 s.
        services.AddHttpClient<HetznerTokenCheck>(c => c.Timeout = TimeSpan.FromSeconds(10)).RemoveAllLoggers();

        services.AddSingleton<IZoneLock>(sp => new BlobZoneLock(sp.GetRequiredService<StorageConnection>().Blobs));
        services.AddSingleton(sp => new Catalyst.Domain.Deployments.OwnerLocks(
            new BlobZoneLock(sp.GetRequiredService<StorageConnection>().Blobs, prefix: BlobZoneLock.OwnerPrefix)));
        services.AddSingleton<IDnsLedger>(sp => new BlobDnsLedger(sp.GetRequiredService<StorageConnection>().Blobs));
        services.AddSingleton(sp => new SubdomainReservations(sp.GetRequiredService<StorageConnection>().Blobs, ttl));
        services.AddSingleton<IHostResolver, SystemHostResolver>();
        // Transient, like what they use: the typed Dynadot and Hetzner clients must not be held for the process's life.
        services.AddTransient<SubdomainChecker>();
        services.AddTransient<SovereignDns>();
        services.AddTransient<IPoolZoneReader>(sp => sp.GetRequiredService<SovereignDns>());
        services.AddTransient<DynadotRegistrar>();
        return services;
    }

    static Uri BaseUrl(Func<string, string?> read, string setting, Uri fallback)
    {
        var text = Settings.Text(read, setting);
        if (text is null) return fallback;
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new SettingException(setting, $"'{text}' is not an http(s) URL");
        return uri;
    }
}
