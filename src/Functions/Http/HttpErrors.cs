using Catalyst.Domain.Deployments;
using Microsoft.AspNetCore.Http;

namespace Catalyst.Functions.Http;

/// <summary>The error bodies every trigger returns: <c>{"error": "...", "detail": "..."}</c>.</summary>
public static class HttpErrors
{
    public static IResult Json(int status, string error, string? detail = null) => Results.Json(new ApiError(error, detail), statusCode: status);

    /// <summary>429 for a stream over <see cref="Catalyst.Domain.Streams.StreamLimits"/>, with when to retry.</summary>
    public static IResult TooManyStreams(HttpContext context, Catalyst.Domain.Streams.StreamLimits limits, string detail)
    {
        context.Response.Headers.RetryAfter = ((int)limits.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Json(StatusCodes.Status429TooManyRequests, "too-many-streams", detail);
    }

    public static IResult DeploymentNotFound(string? id) => Json(StatusCodes.Status404NotFound, "deployment not found", $"no deployment has id '{id}'");
}
