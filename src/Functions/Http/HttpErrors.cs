using Catalyst.Domain.Deployments;
using Microsoft.AspNetCore.Http;

namespace Catalyst.Functions.Http;

/// <summary>
/// The one way a trigger answers an error: <c>{"error": "...", "detail": "..."}</c> (<see cref="ApiError"/>) with its
/// status. Rules in Domain return <c>(int Status, ApiError Error)</c>; triggers pass it here unchanged.
/// </summary>
public static class HttpErrors
{
    public static IResult Json(int status, string error, string? detail = null) =>
        Json(status, new ApiError(error, detail));

    public static IResult Json(int status, ApiError error) => Results.Json(error, statusCode: status);

    public static IResult Json((int Status, ApiError Error) refusal) => Json(refusal.Status, refusal.Error);

    /// <summary>429 for a stream over <see cref="Catalyst.Domain.Streams.StreamLimits"/>, with when to retry.</summary>
    public static IResult TooManyStreams(HttpContext context,
        Catalyst.Domain.Streams.StreamLimits limits, string detail)
    {
        context.Response.Headers.RetryAfter =
            ((int)limits.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Json(StatusCodes.Status429TooManyRequests, "too-many-streams", detail);
    }

    public static IResult DeploymentNotFound(string? id) =>
        Json(StatusCodes.Status404NotFound, "deployment not found", $"no deployment has id '{id}'");
}
