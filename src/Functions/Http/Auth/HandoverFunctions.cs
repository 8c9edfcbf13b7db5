using Catalyst.Domain.Auth;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Http.Auth;

/// <summary>
/// Handover (reference E.1, E.2): Catalyst-Zero mints the one-time token and publishes its public key; a Sovereign's
/// <c>/auth/handover</c> turns the token into a session. The rules
/// live in <see cref="HandoverMint"/> and <see cref="HandoverLogin"/>.
/// </summary>
public sealed class HandoverFunctions(SignerSource signer, DeploymentStore store, HandoverLogin login, AuditTrail audit,
    ILogger<HandoverFunctions> log)
{
    [Function(nameof(MintHandoverToken))]
    public async Task<IResult> MintHandoverToken(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post",
            Route = "api/v1/deployments/{id}/mint-handover-token")] HttpRequest request, string id)
    {
        if (signer.Signer is not { } key)
            return HttpErrors.Json(StatusCodes.Status503ServiceUnavailable, "signer-not-configured", signer.Problem);
        if (await store.GetAsync(id, request.HttpContext.RequestAborted) is not { } record)
            return HttpErrors.DeploymentNotFound(id);
        if (!HandoverMint.IsHandoverReady(record.Status))
            return HttpErrors.Json(StatusCodes.Status409Conflict, "not-handover-ready",
                HandoverMint.NotReadyDetail(record.Status));
        var fqdn = HandoverMint.Fqdn(record);
        if (fqdn.Length == 0)
            return HttpErrors.Json(StatusCodes.Status422UnprocessableEntity, "missing-fqdn",
                "the deployment has no Sovereign FQDN to hand over to");

        var (subject, email) = HandoverMint.Recipient(CallerIdentity.Of(request.HttpContext), record);
        var minted = key.MintHandover(fqdn, id, subject, email);
        log.LogInformation("Handover token {Jti} minted for {Id} ({Fqdn}) to {Subject}, expires {ExpiresAt:O}",
            minted.Jti, id, fqdn, subject, minted.ExpiresAt);
        await audit.RecordAsync(request.HttpContext, id, AuditEvents.MintHandover, request.HttpContext.RequestAborted);
        return Results.Json(new { token = minted.Token, redirectURL = HandoverSigner.HandoverUrl(fqdn, minted.Token) });
    }

    [Function(nameof(GetHandoverPublicKey))]
    public IResult GetHandoverPublicKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/handover/public-key")] HttpRequest request)
    {
        if (signer.Signer is not { } key)
            return HttpErrors.Json(StatusCodes.Status503ServiceUnavailable, "signer-not-configured", signer.Problem);
        request.HttpContext.Response.Headers.CacheControl = "public, max-age=3600";
        return Results.Text(key.PublicJwk, "application/json");
    }

    /// <summary>On a Sovereign: outside the session gate (the token is the credential; otech49).</summary>
    [Function(nameof(AuthHandover))]
    public async Task<IResult> AuthHandover(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "auth/handover")] HttpRequest request) =>
        SessionResults.From(await login.SignInAsync(request.Query["token"].FirstOrDefault(),
            CallerIdentity.IsSecure(request), request.HttpContext.RequestAborted),
            request.HttpContext);
}
