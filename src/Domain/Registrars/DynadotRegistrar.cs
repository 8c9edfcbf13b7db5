using Catalyst.Domain.Dns;
using Catalyst.Domain.Subdomains;

namespace Catalyst.Domain.Registrars;

/// <summary>A registrar's answer: status and JSON body, plus a short outcome label that is safe to log.</summary>
public sealed record RegistrarAnswer(int Status, object Body, string Outcome);

/// <summary>
/// BYO flow B against Dynadot with the user's own credentials (<c>apiKey:apiSecret</c>, or a bare key): validate
/// proves the token sees the domain (<c>domain_info</c>); set-ns validates, then flips the name servers
/// (<c>set_ns</c>). Status mapping follows PDM's registrar handler; failures never echo the token.
/// </summary>
public sealed class DynadotRegistrar(DynadotClient dynadot)
{
    public const string Name = "dynadot";

    public async Task<RegistrarAnswer> ValidateAsync(RegistrarValidateRequest request,
        CancellationToken cancellationToken)
    {
        if (DynadotCredentials.FromToken(request.Token) is not { } credentials
            || !SubdomainLabel.IsDomainName(request.Domain))
            return Invalid(request.Domain, DynadotFailure.InvalidToken,
                "token must be 'apiKey:apiSecret' (or an API key) and domain a domain name");
        try
        {
            await dynadot.DomainInfoAsync(credentials, request.Domain, cancellationToken);
            return new RegistrarAnswer(200, new { valid = true, registrar = Name, domain = request.Domain,
                message = "credentials accepted; the domain is in this Dynadot account" }, "ok");
        }
        catch (DynadotException e)
        {
            return e.Failure switch
            {
                DynadotFailure.InvalidToken => Invalid(request.Domain, e.Failure, "credentials rejected by dynadot"),
                DynadotFailure.DomainNotInAccount => Invalid(request.Domain, e.Failure,
                    $"{request.Domain} is not visible to the supplied dynadot credentials"),
                DynadotFailure.Rejected =>
                    Invalid(request.Domain, e.Failure, "dynadot refused the request: " + credentials.Scrub(e.Message)),
                _ => Failed(request.Domain, e, credentials),
            };
        }
    }

    public async Task<RegistrarAnswer> SetNameserversAsync(RegistrarSetNsRequest request,
        CancellationToken cancellationToken)
    {
        if (DynadotCredentials.FromToken(request.Token) is not { } credentials
            || !SubdomainLabel.IsDomainName(request.Domain))
            return new RegistrarAnswer(401,
                Error("invalid-token", "token must be 'apiKey:apiSecret' (or an API key) and domain a domain name",
                    request.Domain), "invalid-token");
        try
        {
            // Validate first so a wrong token is reported as such before anything is written.
            await dynadot.DomainInfoAsync(credentials, request.Domain, cancellationToken);
            await dynadot.SetNameserversAsync(credentials, request.Domain, request.Nameservers, cancellationToken);
            return new RegistrarAnswer(200, new
            {
                success = true, registrar = Name, domain = request.Domain, nameservers = request.Nameservers,
                propagation = "dynadot reflects NS changes within 30-60 minutes",
            }, "ok");
        }
        catch (DynadotException e)
        {
            return Failed(request.Domain, e, credentials);
        }
    }

    static RegistrarAnswer Invalid(string domain, DynadotFailure failure, string message) =>
        new(200, new { valid = false, registrar = Name, domain, error = Code(failure), message }, Code(failure));

    static RegistrarAnswer Failed(string domain, DynadotException e, DynadotCredentials credentials) => e.Failure switch
    {
        DynadotFailure.InvalidToken =>
            new(401, Error("invalid-token", "credentials rejected by dynadot", domain), "invalid-token"),
        DynadotFailure.DomainNotInAccount => new(403, Error("domain-not-in-account",
            $"{domain} is not visible to the supplied dynadot credentials", domain), "domain-not-in-account"),
        DynadotFailure.RateLimited =>
            new(429, Error("rate-limited", "dynadot rate-limited the request", domain), "rate-limited"),
        DynadotFailure.Unavailable =>
            new(502, Error("api-unavailable", "dynadot API is unreachable", domain), "api-unavailable"),
        // Dynadot's own wording helps the user (e.g. a name server
        // that must be registered first); scrubbed of the token.
        _ => new(502, Error("registrar-error", "dynadot refused the request: " + credentials.Scrub(e.Message), domain),
            "registrar-error"),
    };

    static object Error(string error, string detail, string domain) => new { error, detail, registrar = Name, domain };

    static string Code(DynadotFailure failure) => failure switch
    {
        DynadotFailure.InvalidToken => "invalid-token",
        DynadotFailure.DomainNotInAccount => "domain-not-in-account",
        DynadotFailure.RateLimited => "rate-limited",
        DynadotFailure.Unavailable => "api-unavailable",
        _ => "registrar-error",
    };
}
