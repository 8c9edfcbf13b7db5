using System.Reflection;
using Catalyst.Domain.Configuration;
using Catalyst.Domain.Tofu;
using DurableTask.AzureStorage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// Standalone mode (DESIGN §2): the same functions without a Functions host. ASP.NET Core serves the HTTP
/// functions on PORT, a Durable Task worker runs the orchestrations and activities against an in-process
/// sidecar over Azure Storage, and a scheduler runs the timers. Shutdown is ordered and bounded: HTTP stops,
/// running activities drain, the worker disconnects, the sidecar stops, the engine releases its leases.
/// </summary>
public static class StandaloneHost
{
    public static async Task<int> RunAsync(string[] args, IReadOnlyList<Assembly> functionAssemblies)
    {
        // SIGTERM before the host listens for it (a pod stopped during a rollout) ends the start cleanly with exit 0
        // instead of the default 143; once the host runs, the same signal stops it the ordered way.
        using var terminated = new CancellationTokenSource();
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            terminated.Cancel();
        });
        try
        {
            return await RunAsync(args, functionAssemblies, terminated.Token);
        }
        catch (OperationCanceledException) when (terminated.IsCancellationRequested)
        {
            return 0;
        }
    }

    static async Task<int> RunAsync(string[] args, IReadOnlyList<Assembly> functionAssemblies,
        CancellationToken terminated)
    {
        var builder = WebApplication.CreateBuilder(
            new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        HostConfiguration.AddFunctionsSources(builder.Configuration, AppContext.BaseDirectory);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        // The engine and sidecar start before the app is built;
        // their logs follow the same levels (host.json's logging).
        using var bootLoggerFactory = LoggerFactory.Create(l => l
            .AddConfiguration(builder.Configuration.GetSection("Logging"))
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }));
        var log = bootLoggerFactory.CreateLogger("Catalyst.Startup");

        StorageConnection storage;
        StorageConnection engineStorage;
        DurableEngineSettings engineSettings;
        ShutdownSettings shutdown;
        FunctionCatalog catalog;
        AzureStorageOrchestrationService engine;
        try
        {
            storage = StorageConnection.FromConfiguration(builder.Configuration);
            engineSettings = DurableEngineSettings.From(builder.Configuration);
            engineStorage = StorageConnection.FromConfiguration(builder.Configuration, engineSettings.ConnectionName);
            shutdown = ShutdownSettings.From(builder.Configuration);
            catalog = FunctionCatalog.Discover(functionAssemblies);
            var probeTimeout = TimeSpan.FromSeconds(Settings.Int(k => builder.Configuration[k],
                "CATALYST_STORAGE_PROBE_SECONDS", 5, 1, 120));
            await storage.ProbeAsync(probeTimeout).WaitAsync(terminated);
            if (engineStorage.ConnectionString != storage.ConnectionString)
                await engineStorage.ProbeAsync(probeTimeout).WaitAsync(terminated);
            engine = new AzureStorageOrchestrationService(
                engineSettings.ToEngineSettings(engineStorage.ConnectionString, bootLoggerFactory));
            await engine.CreateIfNotExistsAsync().WaitAsync(TimeSpan.FromSeconds(60), terminated);
        }
        catch (SettingException e)
        {
            log.LogCritical("Cannot start: {Problem}", e.Message);
            return 2;
        }

        var port = SelfAddress.Port(k => builder.Configuration[k]);
        var bind = Settings.Text(k => builder.Configuration[k], "CATALYST_BIND_ADDRESS", "0.0.0.0");
        builder.WebHost.UseUrls($"http://{bind}:{port}");

        var dispatch = new DrainableEngine(engine,
            DrainableEngine.RenewIntervalFor(engineSettings.WorkItemQueueVisibilityTimeout),
            bootLoggerFactory.CreateLogger<DrainableEngine>());
        await using var sidecar = await DurableSidecar.StartAsync(engine, dispatch, bootLoggerFactory, terminated);
        builder.Services.AddSingleton(catalog);
        builder.Services.AddSingleton(shutdown);
        builder.Services.AddSingleton(dispatch);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdown.Total);
        builder.Services.AddCatalyst(builder.Configuration);
        builder.Services.AddDurableTaskClient(b =>
        {
            b.UseGrpc(sidecar.Channel);
            b.Configure(o => o.DefaultVersion = engineSettings.Versioning.DefaultVersion);
        });
        builder.Services.AddDurableTaskWorker(b =>
        {
            b.UseGrpc(sidecar.Channel);
            b.Configure(o =>
            {
                o.Concurrency.MaximumConcurrentActivityWorkItems = engineSettings.MaxConcurrentActivities;
                engineSettings.Versioning.Apply(o);
            });
            b.AddTasks(registry => Register(registry, catalog));
        });
        builder.Services.AddHostedService<EngineDrainService>();
        builder.Services.AddHostedService<TimerScheduler>();

        var app = builder.Build();
        if (!StartupChecks.Pass(app.Services, log)) return 2;
        terminated.ThrowIfCancellationRequested();
        // An unexpected failure answers in the API's error shape, never a stack trace or an empty body.
        app.UseExceptionHandler(failed => failed.Run(context => Results.Json(
            new Catalyst.Domain.Deployments.ApiError("internal-error",
                $"the request failed; see the server log (trace {context.TraceIdentifier})"),
            statusCode: StatusCodes.Status500InternalServerError).ExecuteAsync(context)));
        app.UseCatalystHttpMetrics();
        app.UseCatalystAuth();
        app.MapHttpFunctions(catalog.Http);
        // Runs before any hosted service (the HTTP server included) stops: tofu saves state through this process.
        if (app.Services.GetRequiredService<Catalyst.Domain.Tofu.ITofuRunner>() is Catalyst.Domain.Tofu.TofuRunner tofu)
            app.Lifetime.ApplicationStopping.Register(() => tofu.StopAllAsync(shutdown.Drain).GetAwaiter().GetResult());
        // Last resort: whatever hangs past the budget, the process still ends before the kubelet's SIGKILL would.
        app.Lifetime.ApplicationStopping.Register(() => _ = Task.Delay(shutdown.Total + TimeSpan.FromSeconds(5))
            .ContinueWith(_ => Environment.Exit(0)));

        // From here a SIGTERM stops the app the ordered way, wherever its start is.
        using var stopOnTerm = terminated.Register(() => app.Lifetime.StopApplication());
        await app.StartAsync();
        // One line operators and tests read to learn where we listen (PORT=0 picks a free port).
        log.LogInformation("Catalyst standalone host listening on {Addresses}", string.Join(", ", app.Urls));
        var bound = new Uri(app.Urls.First());
        app.Services.GetRequiredService<SelfAddress>().BaseUrl = $"http://127.0.0.1:{bound.Port}";
        await app.WaitForShutdownAsync();
        await sidecar.StopAsync(TimeSpan.FromSeconds(5));
        if (dispatch.Started)
            await engine.StopAsync(isForced: true).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        return 0;
    }

    static void Register(DurableTaskRegistry registry, FunctionCatalog catalog)
    {
        foreach (var orchestrator in catalog.Orchestrators)
            registry.AddOrchestrator(orchestrator.Name, orchestrator.Implementation);
        foreach (var activity in catalog.Activities)
            registry.AddActivity(activity.Name, activity.Implementation);
    }
}
