using Catalyst.Domain.Registrars;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Http;

/// <summary>
/// BYO flow B (reference A.14): check a user's registrar token, then point their domain's name servers at the
/// Sovereign. The original proxied these to PDM; we serve Dynadot ourselves. The token is read once, used for
/// the registrar call and dropped: logs carry only {registrar, domain, outcome}.
/// </summary>
public sealed class RegistrarFunctions(DynadotRegistrar dynadot, ILogger<RegistrarFunctions> log)
{
    [Function(nameof(ValidateRegistrar))]
    public async Task<IResult> ValidateRegistrar(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post",
            Route = "api/v1/registrar/{registrar}/validate")] HttpRequest request, string registrar)
    {
        var name = RegistrarRequests.Normalize(registrar);
        if (!RegistrarRequests.IsServed(name)) return HttpErrors.Json(RegistrarRequests.Unsupported);
        var bytes = await RequestBody.ReadAsync(request, RegistrarRequests.MaxBodyBytes,
            request.HttpContext.RequestAborted);
        if (bytes is null) return HttpErrors.Json(RegistrarRequests.TooLarge("validate"));
        var (parsed, error) = RegistrarRequests.ParseValidate(bytes);
        if (error is { } refused) return HttpErrors.Json(refused);
        var answer = await dynadot.ValidateAsync(parsed!, request.HttpContext.RequestAborted);
        log.LogInformation("Registrar validate {Registrar} {Domain}: {Outcome}", name, parsed!.Domain, answer.Outcome);
        return Results.Json(answer.Body, statusCode: answer.Status);
    }

    [Function(nameof(SetRegistrarNameservers))]
    public async Task<IResult> SetRegistrarNameservers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post",
            Route = "api/v1/registrar/{registrar}/set-ns")] HttpRequest request, string registrar)
    {
        var name = RegistrarRequests.Normalize(registrar);
        if (!RegistrarRequests.IsServed(name)) return HttpErrors.Json(RegistrarRequests.Unsupported);
        var bytes = await RequestBody.ReadAsync(request, RegistrarRequests.MaxBodyBytes,
            request.HttpContext.RequestAborted);
        if (bytes is null) return HttpErrors.Json(RegistrarRequests.TooLarge("set-ns"));
        var (parsed, error) = RegistrarRequests.ParseSetNs(bytes);
        if (error is { } refused) return HttpErrors.Json(refused);
        var answer = await dynadot.SetNameserversAsync(parsed!, request.HttpContext.RequestAborted);
        log.LogInformation("Registrar set-ns {Registrar} {Domain}: {Outcome}", name, parsed!.Domain, answer.Outcome);
        return Results.Json(answer.Body, statusCode: answer.Status);
    }
}
