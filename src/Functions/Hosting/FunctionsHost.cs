using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Hosting;

/// <summary>Functions mode: the Azure Functions host started this worker and routes triggers to it.</summary>
public static class FunctionsHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.UseCatalystHttpMetrics();
        builder.UseCatalystAuth();
        builder.Services.AddCatalyst(builder.Configuration);
        var host = builder.Build();
        if (!StartupChecks.Pass(host.Services,
            host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Catalyst.Startup"))) return 2;
        await host.RunAsync();
        return 0;
    }
}
