using Catalyst.Domain.Deployments;
using Microsoft.AspNetCore.Http;

namespace Catalyst.Functions.Http;

/// <summary>The error bodies every trigger returns: <c>{"error": "...", "detail": "..."}</c>.</summary>
public static class HttpErrors
{
    public static IResult Json(int status, string error, string? detail = null) => Results.Json(new ApiError(error, detail), statusCode: status);

    public static IResult DeploymentNotFound(string? id) => Json(StatusCodes.Status404NotFound, "deployment not found", $"no deployment has id '{id}'");

    /// <summary>Reads at most <paramref name="limit"/> bytes; <c>Truncated</c> says the body was longer.</summary>
    public static async Task<(byte[] Body, bool Truncated)> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit) return (buffer.ToArray(), true);
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray(), false);
    }
}
