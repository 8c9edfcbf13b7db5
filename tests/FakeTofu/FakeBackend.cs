using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Catalyst.FakeTofu;

/// <summary>
/// tofu's http backend client, configured the way real tofu reads it: TF_HTTP_ADDRESS, TF_HTTP_LOCK_ADDRESS,
/// TF_HTTP_UNLOCK_ADDRESS, the *_METHOD variables (tofu's defaults LOCK/UNLOCK/POST when unset), Basic auth
/// from TF_HTTP_USERNAME/PASSWORD. State writes under a lock carry ?ID=&lt;lock id&gt;, as real tofu's do.
/// </summary>
sealed class FakeBackend : IDisposable
{
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    readonly string address;
    readonly string? lockAddress;
    readonly string unlockAddress;
    readonly HttpMethod lockMethod, unlockMethod, updateMethod;
    string? lockId;
    string? lockBody;

    public FakeBackend()
    {
        address = Environment.GetEnvironmentVariable("TF_HTTP_ADDRESS") is { Length: > 0 } a
            ? a : throw new FakeTofuException("Error: \"address\": required field is not set (TF_HTTP_ADDRESS)");
        lockAddress = Environment.GetEnvironmentVariable("TF_HTTP_LOCK_ADDRESS") is { Length: > 0 } l ? l : null;
        unlockAddress = Environment.GetEnvironmentVariable("TF_HTTP_UNLOCK_ADDRESS") is { Length: > 0 } u ? u : lockAddress ?? "";
        lockMethod = new HttpMethod(Environment.GetEnvironmentVariable("TF_HTTP_LOCK_METHOD") is { Length: > 0 } lm ? lm : "LOCK");
        unlockMethod = new HttpMethod(Environment.GetEnvironmentVariable("TF_HTTP_UNLOCK_METHOD") is { Length: > 0 } um ? um : "UNLOCK");
        updateMethod = new HttpMethod(Environment.GetEnvironmentVariable("TF_HTTP_UPDATE_METHOD") is { Length: > 0 } pm ? pm : "POST");
        var user = Environment.GetEnvironmentVariable("TF_HTTP_USERNAME");
        var password = Environment.GetEnvironmentVariable("TF_HTTP_PASSWORD");
        if (!string.IsNullOrEmpty(user))
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }

    public void Lock(string operation)
    {
        if (lockAddress is null) return;
        var id = Guid.NewGuid().ToString();
        var body = new JsonObject
        {
            ["ID"] = id,
            ["Operation"] = operation,
            ["Info"] = "",
            ["Who"] = $"{Environment.UserName}@{Environment.MachineName}",
            ["Version"] = "1.8.0-fake",
            ["Created"] = DateTime.UtcNow.ToString("o"),
            ["Path"] = "",
        }.ToJsonString();
        using var response = Send(lockMethod, lockAddress, body);
        if (response.StatusCode is HttpStatusCode.Locked or HttpStatusCode.Conflict)
        {
            var holder = TryParse(response.Content.ReadAsStringAsync().Result);
            string Field(string name) => holder?[name]?.GetValue<string>() ?? "";
            throw new FakeTofuException(
                "Error: Error acquiring the state lock\n\n" +
                $"Error message: HTTP remote state already locked: ID={Field("ID")}\nLock Info:\n" +
                $"  ID:        {Field("ID")}\n  Path:      {Field("Path")}\n  Operation: {Field("Operation")}\n" +
                $"  Who:       {Field("Who")}\n  Version:   {Field("Version")}\n  Created:   {Field("Created")}\n  Info:      {Field("Info")}\n\n" +
                "OpenTofu acquires a state lock to protect the state from being written\nby multiple users at the same time.");
        }
        Check(response, "Error: Error acquiring the state lock\n\nError message: Unexpected HTTP response code");
        (lockId, lockBody) = (id, body);
    }

    public void Unlock()
    {
        if (lockId is null) return;
        using var response = Send(unlockMethod, unlockAddress, lockBody);
        Check(response, "Error: Error releasing the state lock\n\nError message: Unexpected HTTP response code");
        (lockId, lockBody) = (null, null);
    }

    public JsonObject? Get()
    {
        using var response = Send(HttpMethod.Get, address, null);
        if (response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotFound) return null;
        Check(response, "Error: Failed to get existing workspaces: Unexpected HTTP response code");
        var text = response.Content.ReadAsStringAsync().Result;
        return text.Length == 0 ? null : TryParse(text) as JsonObject ?? throw new FakeTofuException("Error: state is not JSON");
    }

    public void Put(JsonObject state)
    {
        var url = lockId is null ? address : $"{address}{(address.Contains('?') ? '&' : '?')}ID={Uri.EscapeDataString(lockId)}";
        using var response = Send(updateMethod, url, state.ToJsonString());
        Check(response, "Error: Failed to persist state: HTTP error");
    }

    HttpResponseMessage Send(HttpMethod method, string url, string? body)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        try
        {
            return http.Send(request);
        }
        catch (HttpRequestException e)
        {
            throw new FakeTofuException($"Error: Failed to reach the state backend: {method} {url}: {e.Message}");
        }
    }

    static void Check(HttpResponseMessage response, string failure)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized) throw new FakeTofuException("Error: HTTP remote state endpoint requires auth");
        if (response.StatusCode == HttpStatusCode.Forbidden) throw new FakeTofuException("Error: HTTP remote state endpoint invalid auth");
        if (!response.IsSuccessStatusCode) throw new FakeTofuException($"{failure}: {(int)response.StatusCode}");
    }

    static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => http.Dispose();
}

/// <summary>A failure tofu reports on stderr before exiting 1.</summary>
sealed class FakeTofuException(string message) : Exception(message);
