using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Catalyst.Functions.Http;

/// <summary>Liveness and readiness probes (reference A.2, A.3).</summary>
public sealed class HealthFunctions(Readiness readiness, Catalyst.Domain.Auth.AuthSettings auth)
{
    /// <summary>Liveness: the process is up and serving. Checks nothing, on purpose (seed, issue #530).</summary>
    [Function(nameof(Healthz))]
    public IResult Healthz([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "healthz")] HttpRequest request) =>
        Results.Text("ok", "text/plain");

    /// <summary>Readiness: 200 <c>ok</c> when every check passes, else 503 naming what is not ready.</summary>
    [Function(nameof(Readyz))]
    public async Task<IResult> Readyz(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "readyz")] HttpRequest request)
    {
        // An open API stays ready (it was asked for), but every probe says what it exposes.
        if (auth.Mode == Catalyst.Domain.Auth.AuthMode.Off)
            request.HttpContext.Response.Headers.Warning =
                $"199 catalyst-api \"{Catalyst.Domain.Auth.AuthSettings.OffWarning}\"";
        var problems = await readiness.ProblemsAsync(request.HttpContext.RequestAborted);
        return problems.Count == 0
            ? Results.Text("ok", "text/plain")
            : HttpErrors.Json(StatusCodes.Status503ServiceUnavailable, "not-ready", string.Join("; ", problems));
    }
}
