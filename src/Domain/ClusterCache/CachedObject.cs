using System.Buffers;
using System.Text.Json;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// One object as the cache keeps it: its compact JSON, already redacted (env values; data of sensitive kinds), and the
/// few metadata fields that lists filter and sort on. Keeping bytes rather than a JSON tree costs a fraction of the
/// memory, and every answer (list, stream, snapshot) writes the bytes as they are.
/// </summary>
public sealed class CachedObject
{
    static readonly KeyValuePair<string, string>[] NoLabels = [];

    CachedObject(string ns, string name, string resourceVersion, KeyValuePair<string, string>[] labels, byte[] json)
    {
        Namespace = ns;
        Name = name;
        ResourceVersion = resourceVersion;
        Labels = labels;
        Json = json;
    }

    public string Namespace { get; }
    public string Name { get; }
    public string ResourceVersion { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; }
    public byte[] Json { get; }

    /// <summary>ns/name: the store key and the list order (reference D.9).</summary>
    public string Key => $"{Namespace}/{Name}";

    public string? Label(string key)
    {
        foreach (var (k, v) in Labels)
            if (k == key) return v;
        return null;
    }

    public const string RedactedValue = "<redacted>";
    const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";
    static readonly string[] DataFields = ["data", "stringData", "binaryData"];

    /// <summary>
    /// Builds the cached form of an API object. Redaction happens here, once per object version as it arrives (list,
    /// watch or snapshot read back), rather than when serving: lists, streams and snapshots all write these bytes as
    /// they are, so an object is redacted once instead of on every answer, and a snapshot blob can never hold what an
    /// answer would not show. Containers' env values are redacted for every kind not opted out
    /// (<see cref="EnvRedaction"/>). Items of a list carry no apiVersion/kind, so they are filled in from the kind. For
    /// a sensitive kind (reference D.6) the copy has no data/stringData (nor binaryData, which holds the same kind of
    /// content) and instead lists the key names under <c>redactedKeys</c> with <c>redactedValue:
    /// "&lt;redacted&gt;"</c>; the last-applied annotation is blanked too, because kubectl writes the whole object,
    /// data included, into it. Null when the object has no name.
    /// </summary>
    public static CachedObject? From(JsonElement item, KindSpec kind, string? kindName)
    {
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("metadata", out var metadata)
            || metadata.ValueKind != JsonValueKind.Object)
            return null;
        var name = Text(metadata, "name");
        if (string.IsNullOrEmpty(name)) return null;
        if (!kind.KeepEnvValues && EnvRedaction.Redact(item) is { } withoutEnv) item = withoutEnv;

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (!item.TryGetProperty("apiVersion", out _)) writer.WriteString("apiVersion", kind.ApiVersion);
            if (!item.TryGetProperty("kind", out _) && kindName is not null) writer.WriteString("kind", kindName);
            var redacted = kind.Sensitive ? new SortedSet<string>(StringComparer.Ordinal) : null;
            foreach (var property in item.EnumerateObject())
            {
                if (redacted is null)
                {
                    property.WriteTo(writer);
                    continue;
                }
                if (DataFields.Contains(property.Name))
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                        foreach (var key in property.Value.EnumerateObject()) redacted.Add(key.Name);
                }
                else if (property.Name == "redactedKeys" && property.Value.ValueKind == JsonValueKind.Array)
                {
                    // Already redacted (a snapshot read back): keep its key list.
                    foreach (var key in property.Value.EnumerateArray())
                        if (key.ValueKind == JsonValueKind.String) redacted.Add(key.GetString()!);
                }
                else if (property.Name == "redactedValue") { }
                else if (property.Name == "metadata") WriteMetadataWithoutLastApplied(writer, property.Value);
                else property.WriteTo(writer);
            }
            if (redacted is { Count: > 0 })
            {
                writer.WriteStartArray("redactedKeys");
                foreach (var key in redacted) writer.WriteStringValue(key);
                writer.WriteEndArray();
                writer.WriteString("redactedValue", RedactedValue);
            }
            writer.WriteEndObject();
        }
        return new CachedObject(Text(metadata, "namespace") ?? "", name, Text(metadata, "resourceVersion") ?? "",
            ReadLabels(metadata), buffer.WrittenSpan.ToArray());
    }

    static void WriteMetadataWithoutLastApplied(Utf8JsonWriter writer, JsonElement metadata)
    {
        writer.WriteStartObject("metadata");
        foreach (var property in metadata.EnumerateObject())
        {
            if (property.Name != "annotations" || property.Value.ValueKind != JsonValueKind.Object)
            {
                property.WriteTo(writer);
                continue;
            }
            writer.WriteStartObject("annotations");
            foreach (var annotation in property.Value.EnumerateObject())
                if (annotation.Name == LastApplied) writer.WriteString(LastApplied, RedactedValue);
                else annotation.WriteTo(writer);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    static KeyValuePair<string, string>[] ReadLabels(JsonElement metadata)
    {
        if (!metadata.TryGetProperty("labels", out var labels) || labels.ValueKind != JsonValueKind.Object)
            return NoLabels;
        var list = new List<KeyValuePair<string, string>>();
        foreach (var label in labels.EnumerateObject())
            if (label.Value.ValueKind == JsonValueKind.String) list.Add(new(label.Name, label.Value.GetString()!));
        return list.Count == 0 ? NoLabels : list.ToArray();
    }
}

/// <summary>One change as subscribers see it (reference D.9 stream frame).</summary>
public sealed record CacheEvent(string Cluster, string Kind, string Type, CachedObject Object, DateTimeOffset At)
{
    public const string Added = "ADDED", Modified = "MODIFIED", Deleted = "DELETED";
}
