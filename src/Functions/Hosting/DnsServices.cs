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
/// DNS, subdomain reservations and the wizard's helper endpoints. Settings are read here, once, and checked by
/// <see cref="StartupChecks"/>: a malformed base URL or TTL stops the host at start with one line naming the setting
/// (it used to be read while registering, outside the start-up checks, and ended in a stack trace).
/// </summary>
public static class DnsServices
{
    public static IServiceCollection AddDns(this IServiceCollection services, IConfiguration configuration)
    {
        var read = configuration.Reader();
        services.AddSettings(_ => ManagedDomains.From(read));
        services.AddSettings(_ => DynadotAccount.From(read));
        services.AddSettings(_ => new DynadotEndpoint(BaseUrl(read, DynadotEndpoint.Setting, DynadotEndpoint.Default)));
        services.AddSettings(_ => new HetznerEndpoint(BaseUrl(read, HetznerEndpoint.Setting, HetznerEndpoint.Default)));
        services.AddSettings(_ => ObjectStorageEndpoint.From(read));
        services.AddSingleton(sp => new ObjectStorageCheck(sp.GetRequiredService<ObjectStorageEndpoint>()));
        services.AddSettings(_ => ReservationSettings.From(read));
        services.AddSettings(_ => ReservedSubdomains.From(read));

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
                    args.Context.GetRequestMessage()?.Options.TryGetValue(DynadotClient.SafeToRetry,
                        out var safe) == true && safe
                        ? HttpClientResiliencePredicates.IsTransient(args.Outcome)
                        : args.Outcome.Result?.StatusCode == System.Net.HttpStatusCode.TooManyRequests);
            });
        // One quick answer for a wizard click: no retries, the original's 10 s.
        services.AddHttpClient<HetznerTokenCheck>(c => c.Timeout = TimeSpan.FromSeconds(10)).RemoveAllLoggers();

        services.AddSingleton<IZoneLock>(sp => new BlobZoneLock(sp.GetRequiredService<StorageConnection>().Blobs));
        services.AddSingleton(sp => new Catalyst.Domain.Creation.OwnerLocks(
            new BlobZoneLock(sp.GetRequiredService<StorageConnection>().Blobs, prefix: BlobZoneLock.OwnerPrefix)));
        services.AddSingleton<IDnsLedger>(sp => new BlobDnsLedger(sp.GetRequiredService<StorageConnection>().Blobs));
        services.AddSingleton(sp => new SubdomainReservations(sp.GetRequiredService<StorageConnection>().Blobs,
            sp.GetRequiredService<ReservationSettings>().Ttl));
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
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https"))
            throw new SettingException(setting, $"'{text}' is not an http(s) URL");
        return uri;
    }
}
