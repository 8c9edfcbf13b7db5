using Catalyst.Functions.WebConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Catalyst.Functions.Http.WebConsole;

/// <summary>
/// The web console (issue 18): <c>GET /</c> is the page, <c>GET /assets/{file}</c> its content-hashed modules and
/// styles. Ordinary HTTP functions, so both hosts serve them; outside <c>/api/v1</c>, so outside the session gate (the
/// page itself asks <c>/api/v1/whoami</c> and shows sign-in on a 401). The SPA routes with the URL's hash, so no
/// catch-all route here can shadow an API route.
/// </summary>
public sealed class ConsoleFunctions(ConsoleAssets assets, Catalyst.Domain.Auth.AuthSettings auth)
{
    /// <summary>
    /// Scripts and styles only from this origin, never inline; the API on the same origin; no framing. Downloads (the
    /// SSH private key) are blob: URLs the page creates, which navigation allows without a directive.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    // The Functions host reserves an empty route for its own page; this template matches only "/" in both hosts
    // (a parameter that must be empty). Set AzureWebJobsDisableHomepage=true in Functions mode.
    [Function(nameof(ConsolePage))]
    public IResult ConsolePage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "{ignored:maxlength(0)?}")] HttpRequest request)
    {
        // no-cache: the page is small and names the current assets, so it is revalidated on every load (ETag → 304).
        var page = assets.IndexFor(auth.Mode == Catalyst.Domain.Auth.AuthMode.Off ? "off" : "session");
        SecurityHeaders(request.HttpContext.Response);
        request.HttpContext.Response.Headers.CacheControl = "no-cache";
        return Serve(request, page);
    }

    [Function(nameof(ConsoleAsset))]
    public IResult ConsoleAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assets/{file}")] HttpRequest request, string file)
    {
        if (assets.Find(file ?? "") is not { } asset)
            return HttpErrors.Json(StatusCodes.Status404NotFound, "asset-not-found",
                "the console has no such file (asset names change with their content)");
        SecurityHeaders(request.HttpContext.Response);
        request.HttpContext.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return Serve(request, asset);
    }

    static IResult Serve(HttpRequest request, ConsoleAssets.Asset asset)
    {
        request.HttpContext.Response.Headers.ETag = asset.ETag;
        if (request.Headers.IfNoneMatch.Any(v => v == asset.ETag))
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Bytes, asset.ContentType);
    }

    static void SecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
