using System.Text.Json;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Registrars;

/// <summary>The user's registrar credentials for one domain. Never logged: only <see cref="Domain"/> is.</summary>
public sealed record RegistrarValidateRequest(string Domain, string Token)
{
    public override string ToString() => $"RegistrarValidateRequest {{ Domain = {Domain} }}";
}

public sealed record RegistrarSetNsRequest(string Domain, string Token, IReadOnlyList<string> Nameservers)
{
    public override string ToString() =>
        $"RegistrarSetNsRequest {{ Domain = {Domain}, Nameservers = {string.Join(",", Nameservers)} }}";
}

/// <summary>
/// The rules of <c>POST /api/v1/registrar/{registrar}/validate|set-ns</c> (reference A.14, and PDM's set-ns rules
/// it forwarded to), in the order the original checks them, with its codes and messages.
/// </summary>
public static class RegistrarRequests
{
    /// <summary>What the wizard may name (lower-cased). Only those with an adapter are served; see
    /// <see cref="Implemented"/>.</summary>
    public static readonly IReadOnlyList<string> Accepted = ["cloudflare", "namecheap", "godaddy", "ovh", "dynadot"];

    /// <summary>Registrars we talk to ourselves. The other accepted
    /// names answer unsupported-registrar until they have one.</summary>
    public static readonly IReadOnlyList<string> Implemented = ["dynadot"];

    public const int MaxBodyBytes = 16 * 1024;
    public const int MaxNameservers = 13; // Dynadot takes ns0..ns12

    public static (int Status, ApiError Error) Unsupported =>
        (404, new ApiError("unsupported-registrar", "registrar adapter not available"));

    public static (int Status, ApiError Error) TooLarge(string endpoint) =>
        (400, new ApiError("request-too-large",
            $"{(endpoint == "set-ns" ? "set-ns" : "validation")} request body must be under 16KB"));

    public static string Normalize(string? registrar) => (registrar ?? "").Trim().ToLowerInvariant();

    public static bool IsServed(string registrar) => Accepted.Contains(registrar) && Implemented.Contains(registrar);

    static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    sealed record Body(string? Domain, string? Token, List<string?>? Nameservers);

    public static (RegistrarValidateRequest? Request, (int Status, ApiError Error)? Error) ParseValidate(
        ReadOnlySpan<byte> body)
    {
        if (Deserialize(body) is not { } parsed)
            return (null, (400, new ApiError("invalid-body", "request body must be JSON {domain, token}")));
        return Common(parsed) is { } error ? (null, error)
            : (new RegistrarValidateRequest(Domain(parsed), parsed.Token!), null);
    }

    public static (RegistrarSetNsRequest? Request, (int Status, ApiError Error)? Error) ParseSetNs(
        ReadOnlySpan<byte> body)
    {
        if (Deserialize(body) is not { } parsed)
            return (null,
                (400, new ApiError("invalid-body", "request body must be JSON {domain, token, nameservers}")));
        if (Common(parsed) is { } error) return (null, error);
        // Lower-cased, trimmed, blanks and duplicates dropped (PDM's normaliseNS).
        var nameservers = (parsed.Nameservers ?? []).Select(n => (n ?? "").Trim().ToLowerInvariant())
            .Where(n => n.Length > 0)
            .Distinct(StringComparer.Ordinal).ToList();
        if (nameservers.Count == 0)
            return (null, (422, new ApiError("missing-nameservers", "nameservers must be a non-empty array")));
        if (nameservers.Count > MaxNameservers)
            return (null,
                (422, new ApiError("too-many-nameservers", $"at most {MaxNameservers} nameservers can be set")));
        return (new RegistrarSetNsRequest(Domain(parsed), parsed.Token!, nameservers), null);
    }

    static (int Status, ApiError Error)? Common(Body parsed)
    {
        if (string.IsNullOrWhiteSpace(parsed.Domain))
            return (422, new ApiError("missing-domain", "domain is required"));
        if (string.IsNullOrEmpty(parsed.Token))
            return (422, new ApiError("missing-token", "registrar API credentials are required"));
        return null;
    }

    static string Domain(Body parsed) => parsed.Domain!.Trim().ToLowerInvariant();

    static Body? Deserialize(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize<Body>(body, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
