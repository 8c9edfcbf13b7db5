using Catalyst.Functions.Activities;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Domain.Subdomains;
using Catalyst.Functions.Orchestrations;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Http.Deployments;

/// <summary>
/// DELETE /api/v1/deployments/{id}/release-subdomain (#489): frees a finished deployment's pool name so it can be used
/// again, without a wipe. Touches nothing at Hetzner and no DNS record; a name whose records are still in the pool zone
/// stays refused by the create's zone check until a wipe removes them.
/// </summary>
public sealed class ReleaseSubdomainFunction(DeploymentStore store, SubdomainReservations reservations,
    AuditTrail audit,
    ILogger<ReleaseSubdomainFunction> log)
{
    sealed record Answer(string DeploymentId, string PoolDomain, string Subdomain, bool PdmReleased,
        string? NoOp = null, string? Error = null);

    [Function("ReleasePoolSubdomain")]
    public async Task<IResult> ReleaseSubdomain(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete",
            Route = "api/v1/deployments/{id}/release-subdomain")] HttpRequest request, string id)
    {
        var ct = request.HttpContext.RequestAborted;
        if (await store.GetAsync(id, ct) is not { } record) return HttpErrors.DeploymentNotFound(id);
        var pool = PoolName.Of(record);
        var (domain, sub) = (pool?.PoolDomain ?? "", pool?.Subdomain ?? "");
        IResult Json(int status, Answer answer) =>
            Results.Json(answer, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)
            { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull },
                statusCode: status);

        if (record.Status == DeploymentStatuses.Adopted)
            return Json(StatusCodes.Status422UnprocessableEntity, new Answer(id, domain, sub, false,
                Error: "deployment has been adopted by a customer; the pool record protects the live Sovereign and " +
                    "cannot be released via this endpoint"));
        if (!DeploymentStatuses.IsDone(record.Status))
            return Json(StatusCodes.Status409Conflict,
                new Answer(id, domain, sub, false,
                    Error: $"deployment is still in-flight (status={record.Status}) " +
                        "— wait for terminal state or use POST /wipe"));
        if (record.Status == DeploymentStatuses.Wiped)
            return Json(StatusCodes.Status410Gone,
                new Answer(id, domain, sub, false, Error: "deployment already wiped"));
        if (pool is null)
            return Json(StatusCodes.Status200OK,
                new Answer(id, domain, sub, false, NoOp: "no pool allocation to release (BYO or unresolvable pool)"));
        // A ready Sovereign is served under its name as an adopted one
        // is: releasing it would hand a live name to the next create.
        if (record.Status is DeploymentStatuses.Ready)
            return Json(StatusCodes.Status422UnprocessableEntity, new Answer(id, domain, sub, false, Error:
                "deployment is ready; its name serves the live Sovereign and cannot be released via this endpoint — " +
                "wipe it first"));

        await audit.RecordAsync(request.HttpContext, id, $"release-subdomain {sub}.{domain}", ct,
            once: $"{record.Run}:release-subdomain");
        // Another deployment's claim on the name (ours lapsed and
        // it was taken) is not ours to free: nothing to release.
        if (await reservations.ReleaseAsync(domain, sub, id, ct) == ReleaseResult.NotOwner)
            return Json(StatusCodes.Status200OK, new Answer(id, domain, sub, false,
                NoOp: "the name is held by another deployment now; nothing of this deployment's to release"));
        log.LogInformation("release-subdomain: {Subdomain}.{PoolDomain} of {Id} released (status {Status})", sub,
            domain, id, record.Status);
        return Json(StatusCodes.Status200OK, new Answer(id, domain, sub, true));
    }
}
