using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Catalyst.Domain.ClusterCache;

namespace Catalyst.Domain.Tests.ClusterCache;

public class RedactionTests
{
    static readonly KindRegistry Kinds = KindRegistry.WithDefaults();

    [Fact]
    public void SecretsLoseTheirDataAndKeepTheirKeyNames()
    {
        var secret = """
            {"metadata":{"name":"db","namespace":"prod","labels":{"app":"db"},
              "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"password\":\"aHVudGVyMg==\"}}","team":"core"}},
             "type":"Opaque","data":{"password":"aHVudGVyMg==","user":"YWRtaW4="},"stringData":{"token":"plain-token-value"}}
            """;
        var cached = CachedObject.From(JsonDocument.Parse(secret).RootElement, Kinds.Find("secret")!, "Secret")!;
        var text = Encoding.UTF8.GetString(cached.Json);
        var node = JsonNode.Parse(text)!;

        Assert.DoesNotContain("aHVudGVyMg", text);
        Assert.DoesNotContain("plain-token-value", text);
        Assert.Null(node["data"]);
        Assert.Null(node["stringData"]);
        Assert.Equal(["password", "token", "user"], node["redactedKeys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal("<redacted>", node["redactedValue"]!.GetValue<string>());
        Assert.Equal("<redacted>", node["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]!.GetValue<string>());
        Assert.Equal("core", node["metadata"]!["annotations"]!["team"]!.GetValue<string>());
        Assert.Equal(("v1", "Secret", "prod", "db", "db"), (node["apiVersion"]!.GetValue<string>(), node["kind"]!.GetValue<string>(), cached.Namespace, cached.Name, cached.Label("app")));

        // Redacting the redacted form (a snapshot read back) changes nothing.
        var again = CachedObject.From(JsonDocument.Parse(cached.Json).RootElement, Kinds.Find("secret")!, null)!;
        Assert.Equal(text, Encoding.UTF8.GetString(again.Json));
    }

    [Fact]
    public void ConfigMapsAreSensitiveAndAnEmptyOneGetsNoKeyList()
    {
        var cached = CachedObject.From(JsonDocument.Parse("""{"metadata":{"name":"empty"},"data":{}}""").RootElement, Kinds.Find("configmap")!, "ConfigMap")!;
        var node = JsonNode.Parse(cached.Json)!;
        Assert.Null(node["data"]);
        Assert.Null(node["redactedKeys"]);
        var binary = CachedObject.From(JsonDocument.Parse("""{"metadata":{"name":"b"},"binaryData":{"blob":"c2VjcmV0"}}""").RootElement, Kinds.Find("configmap")!, "ConfigMap")!;
        Assert.DoesNotContain("c2VjcmV0", Encoding.UTF8.GetString(binary.Json));
    }

    [Fact]
    public void OtherKindsPassThroughWithApiVersionAndKindFilledIn()
    {
        var pod = """{"metadata":{"name":"p","namespace":"n","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},"data":{"kept":"yes"}}""";
        var node = JsonNode.Parse(CachedObject.From(JsonDocument.Parse(pod).RootElement, Kinds.Find("pod")!, "Pod")!.Json)!;
        Assert.Equal("yes", node["data"]!["kept"]!.GetValue<string>());
        Assert.Equal("{}", node["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]!.GetValue<string>());
        Assert.Equal(("v1", "Pod"), (node["apiVersion"]!.GetValue<string>(), node["kind"]!.GetValue<string>()));

        var deployment = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"n"}}""";
        var kept = JsonNode.Parse(CachedObject.From(JsonDocument.Parse(deployment).RootElement, Kinds.Find("deployment")!, "Ignored")!.Json)!;
        Assert.Equal("Deployment", kept["kind"]!.GetValue<string>());
        Assert.Null(CachedObject.From(JsonDocument.Parse("""{"metadata":{}}""").RootElement, Kinds.Find("pod")!, "Pod"));
    }
}
