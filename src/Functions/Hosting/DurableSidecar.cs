using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// Standalone mode's Durable Task backend: the gRPC sidecar from Microsoft.DurableTask.InProcessTestHost serving
/// the Azure Storage engine, on a loopback port only this process uses. It has its own host with a lifetime
/// that ignores SIGTERM, so <see cref="StandaloneHost"/> can stop it after the worker, in order and on a clock.
/// </summary>
public sealed class DurableSidecar : IAsyncDisposable
{
    readonly IHost host;

    DurableSidecar(IHost host, GrpcChannel channel)
    {
        this.host = host;
        Channel = channel;
    }

    public GrpcChannel Channel { get; }

    public static async Task<DurableSidecar> StartAsync(AzureStorageOrchestrationService engine,
        DrainableEngine dispatch, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, ManualLifetime>();
        builder.WebHost.ConfigureKestrel(k =>
            k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IOrchestrationService>(dispatch);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(engine);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features
            .Get<IServerAddressesFeature>()!.Addresses.Single();
        return new DurableSidecar(app, GrpcChannel.ForAddress(address));
    }

    /// <summary>Stops serving within <paramref name="timeout"/>;
    /// outstanding work is left for the engine to re-deliver.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await host.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Bounded on purpose: the sidecar would otherwise wait up to an hour for work the worker dropped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Channel.ShutdownAsync();
        Channel.Dispose();
        host.Dispose();
    }

    /// <summary>A lifetime that does not listen to process signals: the owner decides when this host stops.</summary>
    sealed class ManualLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
