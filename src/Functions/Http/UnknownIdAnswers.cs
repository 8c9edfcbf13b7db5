using Catalyst.Domain.Auth;
using Catalyst.Domain.ClusterCache;
using Microsoft.AspNetCore.Http;

namespace Catalyst.Functions.Http;

/// <summary>
/// What a route that acts on one deployment answers for an id that does not exist, for a caller who may not see the
/// one that does (issue 14): the same status and body, so a stranger cannot tell the two apart. The checks a function
/// makes before it looks the id up (a signer, a kind name) come first here too, in the same order;
/// TenantIsolationTests compares every route's answer with its answer for an unknown id, so drift fails a test.
/// </summary>
public static class UnknownIdAnswers
{
    public static IResult For(HttpRequest request, (DeploymentRoutes.Kind Kind, string Id) route,
        IServiceProvider services)
    {
        var segments = (request.Path.Value ?? "").Trim('/').Split('/');
        var rest = segments.Length > 4 ? segments[4..] : [];
        if (route.Kind == DeploymentRoutes.Kind.Deployment)
        {
            if (rest is [var action] && action.Equals("mint-handover-token", StringComparison.OrdinalIgnoreCase)
                && services.GetRequiredService<SignerSource>() is { Signer: null } signer)
                return HttpErrors.Json(StatusCodes.Status503ServiceUnavailable, "signer-not-configured",
                    signer.Problem);
            return HttpErrors.DeploymentNotFound(route.Id);
        }

        var cache = services.GetRequiredService<SovereignCache>();
        if (rest is [var k8s, var what] && k8s.Equals("k8s", StringComparison.OrdinalIgnoreCase))
        {
            if (what.Equals("stream", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var name in request.Query["kinds"].ToString()
                    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    if (cache.Kinds.Find(name) is null)
                        return Results.Json(new { error = "unknown kind", kind = name,
                            availableKinds = cache.Kinds.Names }, statusCode: StatusCodes.Status400BadRequest);
            }
            else if (!what.Equals("sync", StringComparison.OrdinalIgnoreCase) && cache.Kinds.Find(what) is null)
                return ClusterCache.K8sFunctions.UnknownKind(cache, what);
        }
        return ClusterCache.K8sFunctions.UnknownCluster(route.Id);
    }
}
