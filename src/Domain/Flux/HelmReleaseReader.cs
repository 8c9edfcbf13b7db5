using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Catalyst.Domain.Deployments;
using k8s;
using k8s.Autorest;

namespace Catalyst.Domain.Flux;

/// <summary>
/// Lists a Sovereign's bootstrap-kit HelmReleases (<c>helm.toolkit.fluxcd.io/v2</c> in <c>flux-system</c>) with the
/// KubernetesClient, from the kubeconfig the Sovereign posted. Read-only. One client per kubeconfig, reused
/// across polls; a kubeconfig that cannot make a client is a start failure, an unreachable API is not.
/// </summary>
public sealed class HelmReleaseReader
{
    public const string Group = "helm.toolkit.fluxcd.io";
    public const string Version = "v2";
    public const string Namespace = "flux-system";
    public const string Plural = "helmreleases";

    readonly ConcurrentDictionary<string, Kubernetes> clients = new();

    public abstract record Listing;
    public sealed record Listed(IReadOnlyList<HelmReleaseSnapshot> Releases) : Listing;
    public sealed record Unreachable(string Error) : Listing;
    public sealed record Unusable(string Error) : Listing;

    /// <summary>One listing for a deployment from its stored kubeconfig,
    /// which meets the postback's rules again first (issue 15).</summary>
    public async Task<Listing> ListForAsync(byte[]? kubeconfig, DeploymentRecord record, bool sandbox,
        CancellationToken cancellationToken)
    {
        if (kubeconfig is null) return new Unusable("no kubeconfig in the vault");
        if (SovereignKubeconfig.Read(kubeconfig, record, sandbox).Refusal is { } refusal)
            return new Unusable($"kubeconfig refused: {refusal}");
        return await ListAsync(kubeconfig, cancellationToken);
    }

    /// <summary>Why a kubeconfig that passed the postback's rules still gives no client: the first line only.</summary>
    public static string NoClient(Exception e) =>
        $"kubeconfig does not give a Kubernetes client: {e.GetType().Name}: {e.Message.Split('\n')[0]}";

    public async Task<Listing> ListAsync(byte[] kubeconfig, CancellationToken cancellationToken)
    {
        Kubernetes client;
        try
        {
            client = clients.GetOrAdd(Convert.ToHexString(SHA256.HashData(kubeconfig)), _ => Create(kubeconfig));
        }
        catch (KubeconfigRefusedException e)
        {
            return new Unusable($"kubeconfig refused: {e.Detail}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new Unusable(NoClient(e));
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            var list = await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Version, Namespace, Plural,
                cancellationToken: timeout.Token);
            var json = list is JsonElement element ? element : JsonSerializer.SerializeToElement(list);
            return new Listed(Parse(json));
        }
        catch (HttpOperationException e)
        {
            return new Unreachable(
                $"Kubernetes API answered {(int)e.Response.StatusCode}: {Truncate(e.Response.Content)}");
        }
        catch (Exception e)
            when (e is HttpRequestException or TaskCanceledException or IOException or OperationCanceledException
                && !cancellationToken.IsCancellationRequested)
        {
            return new Unreachable($"Kubernetes API unreachable: {e.Message.Split('\n')[0]}");
        }
    }

    /// <summary>From the kubeconfig read as data (issue 15): the library's
    /// own loader runs <c>exec</c> plugins and reads files.</summary>
    static Kubernetes Create(byte[] kubeconfig) => new(SovereignKubeconfig.Parse(kubeconfig).ToClientConfiguration());

    /// <summary>Reads name and the Ready condition of each item of a HelmRelease list.</summary>
    public static IReadOnlyList<HelmReleaseSnapshot> Parse(JsonElement list) =>
        list.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray().Select(ParseItem).ToList() : [];

    /// <summary>One HelmRelease: its name and its Ready condition (a listed item, or a watched object).</summary>
    public static HelmReleaseSnapshot ParseItem(JsonElement item)
    {
        var name = item.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("name", out var n)
            && n.ValueKind == JsonValueKind.String ? n.GetString() ?? "" : "";
        string? status = null, reason = null, message = null;
        if (item.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.Object
            && st.TryGetProperty("conditions", out var conditions) && conditions.ValueKind == JsonValueKind.Array)
            foreach (var condition in conditions.EnumerateArray())
                if (condition.ValueKind == JsonValueKind.Object && condition.TryGetProperty("type", out var type)
                    && type.ValueKind == JsonValueKind.String
                    && type.GetString() == "Ready")
                {
                    status = Text(condition, "status");
                    reason = Text(condition, "reason");
                    message = Text(condition, "message");
                }
        return new HelmReleaseSnapshot(name, status, reason, message);
    }

    static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    static string Truncate(string? text) => text is null ? "" : text.Length <= 200 ? text : text[..200] + "…";
}
