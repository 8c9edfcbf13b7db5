using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

namespace Catalyst.Functions.Hosting;

/// <summary>Functions mode: the Azure Functions host started this worker and routes triggers to it.</summary>
public static class FunctionsHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.Services.AddCatalyst(builder.Configuration);
        await builder.Build().RunAsync();
        return 0;
    }
}
