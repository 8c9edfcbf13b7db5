using Catalyst.Domain.ClusterCache;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Catalyst.Functions.Http.Sovereigns;

/// <summary>
/// The k8s data plane's reads (reference D.9): a kind's cached objects, and which kinds have synced. Answers come
/// from memory; with a user header present each namespace is gated by a SubjectAccessReview on the Sovereign.
/// </summary>
public sealed class K8sFunctions(SovereignCache cache)
{
    [Function(nameof(ListK8sObjects))]
    public async Task<IResult> ListK8sObjects(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/sovereigns/{id}/k8s/{kind}")] HttpRequest request, string id, string kind)
    {
        if (cache.Kinds.Find(kind) is not { } spec) return UnknownKind(cache, kind);
        if (cache.Resolve(id) is not { } cluster) return UnknownCluster(id);
        ListQuery query;
        try
        {
            var q = request.Query;
            query = ListQuery.Parse(q["ns"], q["labelSelector"], q["fieldSelector"], q["limit"], q["continue"]);
        }
        catch (SelectorException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status400BadRequest);
        }
        var ct = request.HttpContext.RequestAborted;
        var user = User(request, cache);
        // Registered but not started yet (the kinds are still loading): nothing cached, nothing stale.
        var page = cache.Cache(cluster, spec.Name) is { } kindCache
            ? await cache.ListAsync(kindCache, query, user is null ? null : ns => cache.Sar.AllowedAsync(user, cluster, spec.Name, ns, "list", ct))
            : new ListPage([], null, TimeSpan.Zero);
        var headers = request.HttpContext.Response.Headers;
        headers["X-Cache-Stale-Seconds"] = CacheJson.StaleSeconds(page.Age);
        if (page.Age > ClusterCacheOptions.StaleAfter) headers["Warning"] = "110 catalyst-api \"cache stale\"";
        return Results.Bytes(CacheJson.ListResponse(spec.Name, cluster, page), "application/json");
    }

    [Function(nameof(GetK8sSync))]
    public IResult GetK8sSync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/sovereigns/{id}/k8s/sync")] HttpRequest request, string id)
    {
        if (cache.Resolve(id) is not { } cluster || cache.Synced(cluster) is not { } synced) return UnknownCluster(id);
        return Results.Json(new { cluster, synced });
    }

    internal static string? User(HttpRequest request, SovereignCache cache) =>
        request.Headers[cache.Options.UserHeader].ToString() is { Length: > 0 } user ? user.Trim() : null;

    internal static IResult UnknownKind(SovereignCache cache, string kind) =>
        Results.Json(new { error = "unknown kind", kind, availableKinds = cache.Kinds.Names }, statusCode: StatusCodes.Status404NotFound);

    internal static IResult UnknownCluster(string id) =>
        HttpErrors.Json(StatusCodes.Status404NotFound, "unknown cluster", $"no Sovereign with id '{id}' is registered in the cluster cache");
}
