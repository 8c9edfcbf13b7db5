using Catalyst.Domain.Auth;
using Catalyst.Domain.Deployments;
using Catalyst.Functions.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Hosting;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// CORS and the session gate for one request, the same code in both hosts: standalone runs it as ASP.NET Core
/// middleware before the endpoint, Functions mode as worker middleware on HTTP-triggered functions (the ASP.NET Core
/// integration gives it the request's HttpContext). The rules are the domain's (<see cref="CorsPolicy"/>,
/// <see cref="SessionGate"/>); this only reads the request and writes what they decide.
/// </summary>
public static class AuthPipeline
{
    /// <summary>True when the request goes on to the function; false when it has been answered here.</summary>
    public static async Task<bool> RunAsync(HttpContext context, IServiceProvider services)
    {
        var request = context.Request;
        var response = context.Response;
        var origin = request.Headers.Origin.ToString();
        var preflight = CorsPolicy.IsPreflight(request.Method, origin,
            request.Headers.AccessControlRequestMethod.ToString());
        foreach (var (name, value) in services.GetRequiredService<CorsPolicy>().HeadersFor(origin, preflight))
            response.Headers.Append(name, value);
        // A preflight never reaches the gate or a function. A disallowed origin gets 204 too, only without CORS
        // headers: their absence is what makes a browser refuse, and one status for every preflight tells a prober
        // nothing the headers do not already say (403 would add nothing to protect, since no data is behind a
        // preflight).
        if (preflight)
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            return false;
        }

        // Only the gate says who the caller is: identity headers a client sends never reach a function, except the one
        // an operator names as set by their authenticating proxy (read here, then removed like the rest).
        var settings = services.GetRequiredService<AuthSettings>();
        var proxyEmail = settings.TrustedIdentityHeader is { } trusted ? request.Headers[trusted].ToString() : null;
        foreach (var name in request.Headers.Keys.Where(IdentityHeaders.ClaimsIdentity).ToList())
            request.Headers.Remove(name);
        if (settings.TrustedIdentityHeader is { } t) request.Headers.Remove(t);

        var gate = services.GetRequiredService<SessionGate>();
        var decision = await gate.DecideAsync(request.Method, request.Path.Value ?? "/",
            request.Cookies[SessionCookies.Session], proxyEmail, context.RequestAborted);
        if (decision.Identity is { } identity) CallerIdentity.Set(context, identity);
        if (decision.Allowed)
        {
            if (!gate.Enabled || decision.Identity is null
                || await MayActOnAsync(request.Path.Value ?? "/", decision.Identity, settings, services,
                    context.RequestAborted))
                return true;
            await NotFoundAsync(context, request.Path.Value ?? "/", services);
            return false;
        }

        if (decision.ClearCookie)
            foreach (var cookie in services.GetRequiredService<SessionCookies>()
                .Clear(CallerIdentity.IsSecure(request), includeRefresh: false))
                response.Headers.Append("Set-Cookie", cookie);
        await HttpErrors.Json(decision.Status, decision.Error!, decision.Detail).ExecuteAsync(context);
        return false;
    }

    /// <summary>
    /// The owner check (issue 14) for a route that acts on one deployment: its owner and operators go on; anyone else
    /// is answered exactly as for an unknown id. A Sovereign's own cluster (SOVEREIGN_FQDN set, no deployment record)
    /// is its signed-in users' to read, gated per namespace by the cluster cache's access review; on Catalyst-Zero, a
    /// cluster that is no tenant's deployment (Zero's own) is for operators only.
    /// </summary>
    static async Task<bool> MayActOnAsync(string path, SessionIdentity caller, AuthSettings settings,
        IServiceProvider services, CancellationToken cancellationToken)
    {
        if (DeploymentRoutes.Parse(path) is not { } route || caller.IsOperator) return true;
        DeploymentRecord? record = null;
        try
        {
            if (DeploymentId.IsValid(route.Id))
                record = await services.GetRequiredService<Catalyst.Domain.Store.DeploymentStore>()
                    .GetRecentAsync(route.Id, TimeSpan.FromSeconds(1), cancellationToken);
        }
        catch (Catalyst.Domain.Store.CorruptRecordException)
        {
            return false; // whose it is cannot be read: only an operator may look at it
        }
        if (record is not null) return DeploymentAccess.Allows(settings.Mode, caller, record.Owner);
        return route.Kind == DeploymentRoutes.Kind.Deployment || settings.SovereignFqdn.Length > 0;
    }

    static Task NotFoundAsync(HttpContext context, string path, IServiceProvider services) =>
        UnknownIdAnswers.For(context.Request, DeploymentRoutes.Parse(path)!.Value, services).ExecuteAsync(context);

    /// <summary>Standalone: ASP.NET Core middleware, after routing and before the endpoint runs.</summary>
    public static WebApplication UseCatalystAuth(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (await RunAsync(context, context.RequestServices)) await next(context);
        });
        return app;
    }

    /// <summary>Functions mode: worker middleware on HTTP triggers (register after
    /// ConfigureFunctionsWebApplication).</summary>
    public static IFunctionsWorkerApplicationBuilder UseCatalystAuth(this IFunctionsWorkerApplicationBuilder builder) =>
        builder.UseWhen<AuthWorkerMiddleware>(FunctionCatalog.IsHttpTrigger);

    sealed class AuthWorkerMiddleware : IFunctionsWorkerMiddleware
    {
        public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
        {
            // The response written here stands: the proxying middleware only executes a result the function returned.
            if (context.GetHttpContext() is not { } http || await RunAsync(http, context.InstanceServices))
                await next(context);
        }
    }
}
