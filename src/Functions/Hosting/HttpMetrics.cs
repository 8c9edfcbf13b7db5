using System.Diagnostics;
using Catalyst.Domain.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Hosting;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// Request durations by route template in both hosts: the template (<c>api/v1/deployments/{id}</c>), never the path, so
/// ids never become label values. Standalone reads it from the matched endpoint, Functions mode from the function's
/// trigger; a request no route matched is <c>unmatched</c>.
/// </summary>
public static class HttpMetrics
{
    static readonly Lazy<IReadOnlyDictionary<string, string>> Routes = new(() =>
        FunctionCatalog.Discover([typeof(HttpMetrics).Assembly]).Http
            .ToDictionary(f => f.Name, f => f.Route.TrimStart('/')));

    static void Observe(HttpContext context, string route, Stopwatch elapsed) =>
        CatalystMetrics.HttpDuration.WithLabels(context.Request.Method, route,
            context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Observe(elapsed.Elapsed.TotalSeconds);

    /// <summary>Standalone: first in the pipeline, so the gate's own answers (401, 404) are timed too.</summary>
    public static WebApplication UseCatalystHttpMetrics(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var elapsed = Stopwatch.StartNew();
            try
            {
                await next(context);
            }
            finally
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText?.TrimStart('/')
                    ?? "unmatched";
                Observe(context, route, elapsed);
            }
        });
        return app;
    }

    /// <summary>Functions mode: worker middleware on HTTP triggers, registered before the auth middleware.</summary>
    public static IFunctionsWorkerApplicationBuilder UseCatalystHttpMetrics(
        this IFunctionsWorkerApplicationBuilder builder) =>
        builder.UseWhen<MetricsWorkerMiddleware>(FunctionCatalog.IsHttpTrigger);

    sealed class MetricsWorkerMiddleware : IFunctionsWorkerMiddleware
    {
        public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
        {
            var elapsed = Stopwatch.StartNew();
            try
            {
                await next(context);
            }
            finally
            {
                if (context.GetHttpContext() is { } http)
                    Observe(http,
                        Routes.Value.GetValueOrDefault(context.FunctionDefinition.Name, "unmatched"), elapsed);
            }
        }
    }
}
