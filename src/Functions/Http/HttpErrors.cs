using Catalyst.Domain.Deployments;
using Microsoft.AspNetCore.Http;

namespace Catalyst.Functions.Http;

/// <summary>The error bodies every trigger returns: <c>{"error": "...", "detail": "..."}</c>.</summary>
public static class HttpErrors
{
    public static IResult Json(int status, string error, string? detail = null) => Results.Json(new ApiError(error, detail), statusCode: status);

    public static IResult DeploymentNotFound(string? id) => Json(StatusCodes.Status404NotFound, "deployment not found", $"no deployment has id '{id}'");
}
