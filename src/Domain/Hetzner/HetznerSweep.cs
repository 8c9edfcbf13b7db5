using System.Net.Http.Headers;
using System.Text.Json;
using Catalyst.Domain.Tofu;

namespace Catalyst.Domain.Hetzner;

/// <summary>
/// After <c>tofu destroy</c>, lists what in the Hetzner project still carries the deployment's owner label
/// (<see cref="TofuContract.OwnerLabel"/>): objects tofu's state never knew (made by the cluster itself, or by a
/// crash between create and state write). It lists, it does not delete: those need a person's eyes.
/// </summary>
public sealed class HetznerSweep(HttpClient http)
{
    static readonly string[] Kinds = ["servers", "load_balancers", "networks", "firewalls", "ssh_keys",
        "placement_groups", "volumes", "primary_ips", "floating_ips"];

    public async Task<IReadOnlyList<Leftover>> ListAsync(string deploymentId, string hetznerToken,
        CancellationToken cancellationToken)
    {
        var leftovers = new List<Leftover>();
        foreach (var kind in Kinds)
        {
            for (var page = 1; page < 100; page++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get,
                    $"v1/{kind}?label_selector={Uri.EscapeDataString($"{TofuContract.OwnerLabel}={deploymentId}")}" +
                    $"&page={page}&per_page=50");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", hetznerToken);
                using var response = await http.SendAsync(request, cancellationToken);
                if (!response.IsSuccessStatusCode)
                    throw new HttpRequestException($"Hetzner API {kind}: HTTP {(int)response.StatusCode}", null,
                        response.StatusCode);
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                if (document.RootElement.TryGetProperty(kind, out var items))
                    foreach (var item in items.EnumerateArray())
                        leftovers.Add(new Leftover(kind, item.GetProperty("id").GetInt64(),
                            item.TryGetProperty("name", out var n) ? n.GetString() ?? "" : ""));
                var next = document.RootElement.TryGetProperty("meta", out var meta)
                    && meta.TryGetProperty("pagination", out var p)
                           && p.TryGetProperty("next_page", out var np) && np.ValueKind == JsonValueKind.Number;
                if (!next) break;
            }
        }
        return leftovers;
    }

    /// <summary>Deletes one object (<c>DELETE /v1/{kind}/{id}</c>); one already gone counts as deleted.</summary>
    public async Task DeleteAsync(Leftover leftover, string hetznerToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"v1/{leftover.Kind}/{leftover.Id}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", hetznerToken);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.NotFound)
            throw new HttpRequestException(
                $"Hetzner API delete {leftover.Kind}/{leftover.Id}: HTTP {(int)response.StatusCode}", null,
                response.StatusCode);
    }

    /// <summary>The hcloud command an operator runs to remove one leftover.</summary>
    public static string CommandFor(Leftover leftover) =>
        $"hcloud {leftover.Kind.TrimEnd('s').Replace("_ip", "-ip").Replace('_', '-')} delete {leftover.Id}";
}
