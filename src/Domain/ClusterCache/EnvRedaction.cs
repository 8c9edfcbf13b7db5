using System.Text.Json;
using System.Text.Json.Nodes;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// Container env values are often credentials (database passwords, API tokens put straight into a manifest), and a
/// pod list reaches every tenant user the SAR allows. So a pod's <c>spec.containers[].env[].value</c> (and
/// <c>initContainers</c>, <c>ephemeralContainers</c>) becomes <see cref="CachedObject.RedactedValue"/>; names and
/// <c>valueFrom</c> references stay, which is what a console shows. The same pod spec sits in workload templates
/// (<c>spec.template.spec</c>: deployments, statefulsets, daemonsets, jobs; <c>spec.jobTemplate.spec.template.spec</c>:
/// cronjobs), so those are redacted alike, and so is the last-applied annotation of any object that has a pod spec,
/// since kubectl copies the whole object, env included, into it.
/// </summary>
public static class EnvRedaction
{
    static readonly string[][] PodSpecPaths = [["spec"], ["spec", "template", "spec"],
        ["spec", "jobTemplate", "spec", "template", "spec"]];
    static readonly string[] ContainerLists = ["containers", "initContainers", "ephemeralContainers"];
    const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>The redacted copy of <paramref name="item"/>, or null
    /// when it holds nothing to redact (no copy is made).</summary>
    public static JsonElement? Redact(JsonElement item)
    {
        if (!Needs(item)) return null;
        var node = JsonNode.Parse(item.GetRawText())!.AsObject();
        foreach (var path in PodSpecPaths)
        {
            if (At(node, path) is not JsonObject spec) continue;
            foreach (var list in ContainerLists)
            {
                if (spec[list] is not JsonArray containers) continue;
                foreach (var container in containers)
                    if (container?["env"] is JsonArray env)
                        foreach (var variable in env)
                            if (variable is JsonObject v && v.ContainsKey("value"))
                                v["value"] = CachedObject.RedactedValue;
            }
        }
        if (node["metadata"]?["annotations"] is JsonObject annotations && annotations.ContainsKey(LastApplied))
            annotations[LastApplied] = CachedObject.RedactedValue;
        return JsonSerializer.SerializeToElement(node);
    }

    /// <summary>Read-only check first: most objects have no pod spec, and those need no copy.</summary>
    static bool Needs(JsonElement item)
    {
        var podLike = false;
        foreach (var path in PodSpecPaths)
        {
            if (At(item, path) is not { ValueKind: JsonValueKind.Object } spec) continue;
            foreach (var list in ContainerLists)
            {
                if (!spec.TryGetProperty(list, out var containers) || containers.ValueKind != JsonValueKind.Array)
                    continue;
                podLike = true;
                foreach (var container in containers.EnumerateArray())
                    if (container.ValueKind == JsonValueKind.Object && container.TryGetProperty("env", out var env)
                        && env.ValueKind == JsonValueKind.Array)
                        foreach (var variable in env.EnumerateArray())
                            if (variable.ValueKind == JsonValueKind.Object
                                && variable.TryGetProperty("value", out var value)
                                && !(value.ValueKind == JsonValueKind.String
                                    && value.ValueEquals(CachedObject.RedactedValue)))
                                return true;
            }
        }
        return podLike
            && At(item, ["metadata", "annotations", LastApplied]) is { ValueKind: not JsonValueKind.Undefined } applied
               && !(applied.ValueKind == JsonValueKind.String && applied.ValueEquals(CachedObject.RedactedValue));
    }

    static JsonElement? At(JsonElement element, string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element)) return null;
        }
        return element;
    }

    static JsonNode? At(JsonObject node, string[] path)
    {
        JsonNode? current = node;
        foreach (var name in path) current = current is JsonObject o ? o[name] : null;
        return current;
    }
}
