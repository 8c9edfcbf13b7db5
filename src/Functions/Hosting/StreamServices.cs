using Catalyst.Domain.Streams;
using Catalyst.Functions.Http.Deployments;
using Microsoft.Extensions.Configuration;

namespace Catalyst.Functions.Hosting;

/// <summary>What the server-sent event streams share: the per-client
/// and total limits, and the timeline's shared polls.</summary>
public static class StreamServices
{
    public static IServiceCollection AddStreams(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings(_ => StreamLimits.From(configuration.Reader()));
        services.AddSingleton(sp => new StreamGate(sp.GetRequiredService<StreamLimits>()));
        services.AddSingleton<TimelineFeeds>();
        services.AddSettings(_ => Catalyst.Functions.Http.Streams.SseSettings.From(configuration));
        return services;
    }
}
