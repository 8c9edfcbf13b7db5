using System.Text.Json.Nodes;

namespace Catalyst.Testing;

/// <summary>Objects for <see cref="FakeCachedKindsApi"/>, shaped as the API server stores them (no resourceVersion: Put assigns it).</summary>
public sealed partial class FakeCachedKindsApi
{
    public static JsonObject Pod(string ns, string name, Dictionary<string, string>? labels = null, string phase = "Running") => new()
    {
        ["metadata"] = Metadata(ns, name, labels),
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "registry.example/app:1" }) },
        ["status"] = new JsonObject { ["phase"] = phase },
    };

    public static JsonObject Secret(string ns, string name, Dictionary<string, string> data, Dictionary<string, string>? stringData = null)
    {
        var secret = new JsonObject { ["metadata"] = Metadata(ns, name, null), ["type"] = "Opaque" };
        secret["data"] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)JsonValue.Create(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(d.Value))))));
        if (stringData is not null) secret["stringData"] = new JsonObject(stringData.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)JsonValue.Create(d.Value))));
        return secret;
    }

    public static JsonObject Deployment(string ns, string name) => new()
    {
        ["metadata"] = Metadata(ns, name, null),
        ["spec"] = new JsonObject { ["replicas"] = 1 },
    };

    static JsonObject Metadata(string ns, string name, Dictionary<string, string>? labels)
    {
        var metadata = new JsonObject { ["name"] = name, ["uid"] = Guid.NewGuid().ToString() };
        if (ns.Length > 0) metadata["namespace"] = ns;
        if (labels is not null) metadata["labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)JsonValue.Create(l.Value))));
        return metadata;
    }
}
