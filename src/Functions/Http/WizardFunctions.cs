using System.Text.Json;
using Catalyst.Domain.Subdomains;
using Catalyst.Domain.Wizard;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Http;

/// <summary>
/// The wizard's checks before a provision (reference A.4, A.6, A.7): Hetzner token, subdomain availability,
/// SSH keypair. Thin: parse, call the domain, map to the original's status codes and bodies.
/// </summary>
public sealed class WizardFunctions(HetznerTokenCheck hetzner, ObjectStorageCheck objectStorage,
    SubdomainChecker subdomains, ILogger<WizardFunctions> log)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    sealed record CredentialsRequest(string? Token, string? Provider);

    sealed record ObjectStorageRequest(string? Region, string? AccessKey, string? SecretKey);

    sealed record SubdomainRequest(string? Subdomain, string? PoolDomain);

    sealed record SshKeyRequest(string? Fqdn);

    [Function(nameof(ValidateCredentials))]
    public async Task<IResult> ValidateCredentials(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/credentials/validate")] HttpRequest request)
    {
        var body = await ParseAsync<CredentialsRequest>(request);
        // The original answers an undecodable body with http.Error: text/plain and a newline.
        if (!body.Ok)
            return Results.Text("invalid request body\n", "text/plain; charset=utf-8",
                statusCode: StatusCodes.Status400BadRequest);
        var verdict = await hetzner.CheckAsync(body.Value?.Token, request.HttpContext.RequestAborted);
        return Results.Json(verdict, statusCode: verdict.Status);
    }

    [Function(nameof(ValidateObjectStorageCredentials))]
    public async Task<IResult> ValidateObjectStorageCredentials(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post",
            Route = "api/v1/credentials/object-storage/validate")] HttpRequest request)
    {
        var body = await ParseAsync<ObjectStorageRequest>(request);
        // Unlike the token check, the original answers this one's undecodable body in its JSON shape.
        if (!body.Ok)
            return Results.Json(new TokenVerdict(400, false, "invalid request body"),
                statusCode: StatusCodes.Status400BadRequest);
        var verdict = await objectStorage.CheckAsync(body.Value?.Region, body.Value?.AccessKey, body.Value?.SecretKey,
            request.HttpContext.RequestAborted);
        if (verdict.Status == StatusCodes.Status503ServiceUnavailable)
            // never the keys
            log.LogError("Object-storage validation: {Region} unreachable", body.Value?.Region?.Trim());
        return Results.Json(verdict, statusCode: verdict.Status);
    }

    [Function(nameof(CheckSubdomain))]
    public async Task<IResult> CheckSubdomain(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/subdomains/check")] HttpRequest request)
    {
        var body = await ParseAsync<SubdomainRequest>(request);
        if (!body.Ok)
            return Results.Json(new SubdomainAvailability(false, "invalid-format",
                "request body could not be parsed as JSON"), statusCode: StatusCodes.Status400BadRequest);
        var answer = await subdomains.CheckAsync(body.Value?.Subdomain, body.Value?.PoolDomain,
            request.HttpContext.RequestAborted);
        return Results.Json(answer);
    }

    [Function(nameof(GenerateSshKey))]
    public async Task<IResult> GenerateSshKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/sshkey/generate")] HttpRequest request)
    {
        // The body is optional and, as in the original, an unreadable one just means "no fqdn".
        var body = await ParseAsync<SshKeyRequest>(request);
        var fqdn = body.Ok ? body.Value?.Fqdn : null;
        if (!SshKeyPair.IsAcceptableFqdn(fqdn))
            return HttpErrors.Json(StatusCodes.Status400BadRequest, "invalid-fqdn",
                "fqdn may contain only letters, digits, dots and hyphens (max 253)");
        SshKeyPair pair;
        try
        {
            pair = SshKeyPair.Generate(fqdn);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError("SSH keypair generation failed: {Type}", e.GetType().Name);
            return HttpErrors.Json(StatusCodes.Status500InternalServerError, "could not generate Ed25519 keypair",
                e.GetType().Name);
        }
        log.LogInformation("SSH keypair generated {Fingerprint}", pair.Fingerprint); // the only part ever logged
        return Results.Json(new { publicKey = pair.PublicKey, privateKey = pair.PrivateKey,
            fingerprint = pair.Fingerprint });
    }

    static async Task<(bool Ok, T? Value)> ParseAsync<T>(HttpRequest request) where T : class
    {
        var bytes = await RequestBody.ReadAsync(request, RequestBody.DefaultCap, request.HttpContext.RequestAborted);
        if (bytes is null) return (false, null);
        try
        {
            return (true, JsonSerializer.Deserialize<T>(bytes, Json));
        }
        catch (JsonException)
        {
            return (false, null);
        }
    }
}
