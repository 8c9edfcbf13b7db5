using Azure.Storage.Blobs;
using Catalyst.Domain.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// Sign-in, sessions and handover (reference E): settings read once (a malformed one stops the host at start, see
/// <see cref="StartupChecks"/>), the handover signer, the one-time stores, Keycloak clients (30 s, the original's
/// timeout), the SMTP mailer, the session gate and CORS. The gate and CORS run in both hosts through
/// <see cref="AuthPipeline"/>.
/// </summary>
public static class AuthServices
{
    public const string KeycloakHttpClient = "keycloak";

    public static IServiceCollection AddAuth(this IServiceCollection services, IConfiguration configuration)
    {
        // TimeProvider is registered by DeploymentServices.
        services.AddSettings(_ => AuthSettings.From(configuration.Reader()));
        services.AddSingleton(sp =>
            SignerSource.Load(sp.GetRequiredService<AuthSettings>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Catalyst.Auth.Signer")));
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<AuthSettings>();
            return new SessionCookies(settings.SessionCookieSecret, settings.SessionCookieDomain,
                Catalyst.Domain.Store.VaultKey.IsDevelopment(configuration.Reader()));
        });
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<AuthSettings>();
            return new SessionTokens(sp.GetRequiredService<SignerSource>().Signer, settings.SessionCookieSecret,
                settings.Issuer, sp.GetRequiredService<TimeProvider>());
        });

        // Keycloak's admin URLs carry users' emails; the default handlers would log every one.
        services.AddHttpClient(KeycloakHttpClient, c => c.Timeout = TimeSpan.FromSeconds(30)).RemoveAllLoggers();
        services.AddSingleton<Func<KeycloakSettings, KeycloakClient>>(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return settings => new KeycloakClient(factory.CreateClient(KeycloakHttpClient), settings);
        });
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<AuthSettings>();
            var jwks = settings.GateJwksUrl is { } url
                ? new JwksCache(sp.GetRequiredService<IHttpClientFactory>().CreateClient(KeycloakHttpClient), url,
                    sp.GetRequiredService<TimeProvider>())
                : null;
            return new SessionVerifier(sp.GetRequiredService<SessionCookies>(), sp.GetRequiredService<SessionTokens>(),
                jwks, sp.GetRequiredService<SessionRules>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<SessionRevocations>());
        });
        services.AddSingleton(sp => new SessionRevocations(sp.GetRequiredService<StorageConnection>().Blobs,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => SessionRules.From(sp.GetRequiredService<AuthSettings>()));
        services.AddSingleton(sp =>
            new SessionGate(sp.GetRequiredService<SessionVerifier>(), sp.GetRequiredService<SessionRules>(),
            sp.GetRequiredService<AuthSettings>().Mode == AuthMode.Session));
        services.AddSingleton(sp => new CorsPolicy(sp.GetRequiredService<AuthSettings>().CorsOrigins));

        services.AddSingleton(sp => new MagicLinkThrottle(
            new BlobRateLimiter(sp.GetRequiredService<StorageConnection>().Blobs,
                sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<AuthSettings>().MagicLinkLimits));
        services.AddSingleton<IMagicLinkMailer>(sp =>
            new SmtpMagicLinkMailer(sp.GetRequiredService<AuthSettings>().Smtp));
        services.AddSingleton(sp =>
            ActivatorUtilities.CreateInstance<HandoverLogin>(sp, OneTimeStore(sp, OneTimeTokens.HandoverContainer)));
        services.AddSingleton(sp =>
            ActivatorUtilities.CreateInstance<MagicLinks>(sp, OneTimeStore(sp, OneTimeTokens.MagicLinkContainer)));
        return services;
    }

    static OneTimeTokens OneTimeStore(IServiceProvider services, string container) =>
        new(services.GetRequiredService<StorageConnection>().Blobs, container);
}
