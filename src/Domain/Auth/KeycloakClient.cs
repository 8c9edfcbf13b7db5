using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Catalyst.Domain.Auth;

/// <summary>
/// The Keycloak admin calls sign-in needs (reference E.3), with a service account: find or create a user (email
/// verified, added to a group that is created when missing), and exchange the service account's token for one that
/// impersonates the user. Each call gets a fresh service-account token, as the original. Errors carry the step and the
/// HTTP status, never a token, a secret or a response body.
/// </summary>
public sealed class KeycloakClient(HttpClient http, KeycloakSettings settings)
{
    const string TokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange";
    const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

    string Base => settings.Address.AbsoluteUri.TrimEnd('/');
    string Admin => $"{Base}/admin/realms/{Uri.EscapeDataString(settings.Realm)}";
    string TokenEndpoint => $"{Base}/realms/{Uri.EscapeDataString(settings.Realm)}/protocol/openid-connect/token";

    /// <summary>The user's Keycloak id; the user exists and is in <paramref name="group"/> afterwards.</summary>
    public async Task<string> EnsureUserAsync(string email, string group, CancellationToken cancellationToken)
    {
        var token = await ServiceAccountTokenAsync(cancellationToken);
        var userId = await FindUserAsync(token, email, cancellationToken)
                     ?? await CreateAsync(token, $"{Admin}/users", new JsonObject
                     {
                         ["email"] = email,
                         ["username"] = email,
                         ["emailVerified"] = true,
                         ["enabled"] = true,
                         ["requiredActions"] = new JsonArray("UPDATE_PASSWORD", "CONFIGURE_PASSKEY"),
                     }, () => FindUserAsync(token, email, cancellationToken), "create user", cancellationToken);
        var groupId = await FindGroupAsync(token, group, cancellationToken)
                      ?? await CreateAsync(token, $"{Admin}/groups", new JsonObject { ["name"] = group },
                          () => FindGroupAsync(token, group, cancellationToken), "create group", cancellationToken);
        using var join = await SendAsync(HttpMethod.Put,
            $"{Admin}/users/{Uri.EscapeDataString(userId)}/groups/{Uri.EscapeDataString(groupId)}", token, null,
            cancellationToken);
        if (join.StatusCode != HttpStatusCode.NoContent)
            throw new KeycloakException("add user to group", join.StatusCode);
        return userId;
    }

    /// <summary>
    /// Token exchange impersonating <paramref name="userId"/>. <see cref="Exchange.Refused"/> when Keycloak does not
    /// accept this form of exchange at all (the feature is off, or v26's standard exchange rejects
    /// <c>requested_subject</c>), which callers answer with a session of their own; other failures throw.
    /// </summary>
    public async Task<Exchange> ImpersonateAsync(string userId, string? audience, CancellationToken cancellationToken)
    {
        var token = await ServiceAccountTokenAsync(cancellationToken);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = TokenExchange,
            ["client_id"] = settings.ClientId,
            ["client_secret"] = settings.ClientSecret ?? "",
            ["subject_token"] = token,
            ["subject_token_type"] = AccessTokenType,
            ["requested_token_type"] = AccessTokenType,
            ["requested_subject"] = userId,
        };
        if (!string.IsNullOrEmpty(audience)) form["audience"] = audience;
        using var response = await http.PostAsync(TokenEndpoint, new FormUrlEncodedContent(form), cancellationToken);
        var body = await ReadJsonAsync(response, cancellationToken);
        if (response.StatusCode == HttpStatusCode.OK && Text(body, "access_token") is { Length: > 0 } access)
            return new Exchange.Issued(access, Text(body, "refresh_token") ?? "",
                body?["expires_in"] is JsonValue v && v.TryGetValue<int>(out var s) ? s : 0);
        if (IsRefusal(response.StatusCode, body))
            return new Exchange.Refused($"{(int)response.StatusCode} {Text(body, "error")}");
        throw new KeycloakException("token exchange", response.StatusCode);
    }

    public abstract record Exchange
    {
        public sealed record Issued(string AccessToken, string RefreshToken, int ExpiresIn) : Exchange
        {
            public override string ToString() => $"Issued {{ ExpiresIn = {ExpiresIn} }}";
        }

        public sealed record Refused(string Reason) : Exchange;
    }

    /// <summary>"This grant or parameter is not supported here", as
    /// opposed to "you may not" (403) or "it broke" (5xx).</summary>
    static bool IsRefusal(HttpStatusCode status, JsonNode? body)
    {
        if (status is not (HttpStatusCode.BadRequest or HttpStatusCode.NotImplemented)) return false;
        var error = Text(body, "error") ?? "";
        var description = (Text(body, "error_description") ?? "").ToLowerInvariant();
        return error is "unsupported_grant_type" or "unsupported_token_type" || status == HttpStatusCode.NotImplemented
               || description.Contains("requested_subject") || description.Contains("not supported")
               || description.Contains("not enabled")
               || description.Contains("feature");
    }

    async Task<string> ServiceAccountTokenAsync(CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(TokenEndpoint,
            new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = settings.ClientId,
            ["client_secret"] = settings.ClientSecret ?? "",
        }), cancellationToken);
        var body = await ReadJsonAsync(response, cancellationToken);
        return response.StatusCode == HttpStatusCode.OK && Text(body, "access_token") is { Length: > 0 } token
            ? token
            : throw new KeycloakException("service account token", response.StatusCode);
    }

    async Task<string?> FindUserAsync(string token, string email, CancellationToken cancellationToken) =>
        await FindAsync(token, $"{Admin}/users?email={Uri.EscapeDataString(email)}&exact=true", "find user", _ => true,
            cancellationToken);

    async Task<string?> FindGroupAsync(string token, string name, CancellationToken cancellationToken) =>
        // search= also matches inside names and returns subgroups; only a top-level group of exactly this name counts.
        await FindAsync(token, $"{Admin}/groups?search={Uri.EscapeDataString(name)}&exact=true", "find group",
            g => Text(g, "name") == name, cancellationToken);

    async Task<string?> FindAsync(string token, string url, string step, Func<JsonNode, bool> matches,
        CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, url, token, null, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK
            || await ReadJsonAsync(response, cancellationToken) is not JsonArray items)
            throw new KeycloakException(step, response.StatusCode);
        return items.OfType<JsonNode>().Where(matches).Select(i => Text(i, "id"))
            .FirstOrDefault(id => !string.IsNullOrEmpty(id));
    }

    /// <summary>POST expecting 201 and the new id in Location; a 409
    /// (someone created it meanwhile) finds it instead.</summary>
    async Task<string> CreateAsync(string token, string url, JsonObject body, Func<Task<string?>> refind, string step,
        CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, url, token, body, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
            return await refind() ?? throw new KeycloakException(step, response.StatusCode);
        var id = response.Headers.Location?.OriginalString.TrimEnd('/').Split('/').LastOrDefault();
        return response.StatusCode == HttpStatusCode.Created && !string.IsNullOrEmpty(id) ? id
            : throw new KeycloakException(step, response.StatusCode);
    }

    async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string token, JsonObject? body,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await http.SendAsync(request, cancellationToken);
    }

    static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static string? Text(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>A Keycloak call failed: which step and what status (0 when no answer arrived).</summary>
public sealed class KeycloakException(string step, HttpStatusCode? status = null, Exception? inner = null)
    : Exception($"keycloak {step} failed" + (status is { } s ? $" with HTTP {(int)s}" : ""), inner)
{
    public string Step { get; } = step;
}
