using Catalyst.Domain.Auth;
using Catalyst.Domain.ClusterCache;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Catalyst.Functions.Http.ClusterCache;

/// <summary>
/// The k8s data plane's reads (reference D.9): a kind's cached objects, and which kinds have synced. Answers come
/// from memory. In session mode each namespace is gated by a SubjectAccessReview on the Sovereign for the session's
/// user (operators are not reviewed); a request without a session gets nothing (<see cref="CacheAccess"/>).
/// </summary>
public sealed class K8sFunctions(SovereignCache cache, AuthSettings auth)
{
    [Function(nameof(ListK8sObjects))]
    public async Task<IResult> ListK8sObjects(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get",
            Route = "api/v1/sovereigns/{id}/k8s/{kind}")] HttpRequest request, string id, string kind)
    {
        var access = Access(request, auth, cache);
        if (access is CacheAccess.Refused refused) return Refuse(refused);
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
            return HttpErrors.Json(StatusCodes.Status400BadRequest, e.Message);
        }
        var ct = request.HttpContext.RequestAborted;
        var user = (access as CacheAccess.Reviewed)?.User;
        // Registered but not started yet (the kinds are still loading): nothing cached, nothing stale.
        var page = cache.Cache(cluster, spec.Name) is { } kindCache
            ? await cache.ListAsync(kindCache, query,
                user is null ? null : ns => cache.Sar.AllowedAsync(user, cluster, spec.Name, ns, "list", ct))
            : new ListPage([], null, TimeSpan.Zero);
        var headers = request.HttpContext.Response.Headers;
        headers["X-Cache-Stale-Seconds"] = CacheJson.StaleSeconds(page.Age);
        if (page.Age > ClusterCacheOptions.StaleAfter) headers["Warning"] = "110 catalyst-api \"cache stale\"";
        return Results.Bytes(CacheJson.ListResponse(spec.Name, cluster, page), "application/json");
    }

    [Function(nameof(GetK8sSync))]
    public IResult GetK8sSync([HttpTrigger(AuthorizationLevel.Anonymous, "get",
        Route = "api/v1/sovereigns/{id}/k8s/sync")] HttpRequest request, string id)
    {
        if (Access(request, auth, cache) is CacheAccess.Refused refused) return Refuse(refused);
        if (cache.Resolve(id) is not { } cluster || cache.Synced(cluster) is not { } synced) return UnknownCluster(id);
        return Results.Json(new { cluster, synced });
    }

    /// <summary>Decided before anything else, so a caller without a session
    /// learns nothing, not even which kinds or clusters exist.</summary>
    internal static CacheAccess Access(HttpRequest request, AuthSettings auth, SovereignCache cache) =>
        CacheAccess.Decide(auth.Mode, CallerIdentity.Of(request.HttpContext), cache.Options);

    internal static IResult Refuse(CacheAccess.Refused refused) =>
        HttpErrors.Json(refused.Status, refused.Error, refused.Detail);

    internal static IResult UnknownKind(SovereignCache cache, string kind) =>
        Results.Json(new { error = "unknown kind", kind, availableKinds = cache.Kinds.Names },
            statusCode: StatusCodes.Status404NotFound);

    internal static IResult UnknownCluster(string id) =>
        HttpErrors.Json(StatusCodes.Status404NotFound, "unknown cluster",
            $"no Sovereign with id '{id}' is registered in the cluster cache");
}
