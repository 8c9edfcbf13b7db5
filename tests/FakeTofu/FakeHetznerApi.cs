using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Catalyst.Domain.Tofu;

namespace Catalyst.FakeTofu;

/// <summary>
/// The hcloud provider's side of the fake: when <c>HCLOUD_ENDPOINT</c> is set (the real provider reads it too),
/// each create is a <c>POST {endpoint}/{kind}</c> with the object's name and labels, authorised with
/// <c>TF_VAR_hcloud_token</c>, and each destroy a <c>DELETE {endpoint}/{kind}/{id}</c>. Without it the fake
/// keeps resources only in its state, as it always did.
/// </summary>
sealed class FakeHetznerApi : IDisposable
{
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    readonly string endpoint;

    FakeHetznerApi(string endpoint, string token)
    {
        this.endpoint = endpoint.TrimEnd('/');
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public static FakeHetznerApi? FromEnvironment() =>
        Environment.GetEnvironmentVariable("HCLOUD_ENDPOINT") is { Length: > 0 } endpoint
            ? new FakeHetznerApi(endpoint, Environment.GetEnvironmentVariable("TF_VAR_hcloud_token") ?? "")
            : null;

    /// <summary>Creates the object at Hetzner and answers its id.</summary>
    public string Create(string address, JsonObject variables)
    {
        var (kind, name) = FakeCloud.HetznerObject(address, variables);
        var fqdn = variables["sovereign_fqdn"]?.GetValue<string>() ?? "";
        var body = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject
            {
                [TofuContract.OwnerLabel] = variables["deployment_id"]!.GetValue<string>(),
                [TofuContract.SovereignLabel] = fqdn[..Math.Min(63, fqdn.Length)].Trim('.', '-'),
                [TofuContract.RoleLabel] = FakeCloud.Role(address),
            },
        };
        using var response = Send(HttpMethod.Post, $"{endpoint}/{kind}", body.ToJsonString(), $"creating {address}");
        var answer = JsonNode.Parse(response.Content.ReadAsStringAsync().Result)!.AsObject();
        var singular = kind.TrimEnd('s');
        return answer[singular]!["id"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Delete(string address, string id, JsonObject variables)
    {
        var (kind, _) = FakeCloud.HetznerObject(address, variables);
        using var response = Send(HttpMethod.Delete, $"{endpoint}/{kind}/{id}", null, $"deleting {address}", allowNotFound: true);
    }

    HttpResponseMessage Send(HttpMethod method, string url, string? body, string what, bool allowNotFound = false)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = http.Send(request);
        }
        catch (HttpRequestException e)
        {
            throw new FakeTofuException($"Error: {what}: {e.Message}");
        }
        if (response.IsSuccessStatusCode || (allowNotFound && response.StatusCode == System.Net.HttpStatusCode.NotFound)) return response;
        var text = response.Content.ReadAsStringAsync().Result;
        response.Dispose();
        throw new FakeTofuException($"Error: {what}: hcloud API answered {(int)response.StatusCode}: {text}");
    }

    public void Dispose() => http.Dispose();
}
