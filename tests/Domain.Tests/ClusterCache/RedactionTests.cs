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

    const string PodWithEnv = """
        {"metadata":{"name":"web","namespace":"prod","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"env\":\"DB_PASSWORD=hunter2\"}"}},
         "spec":{"containers":[{"name":"app","image":"app:1","env":[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"EMPTY","value":""},
                   {"name":"FROM_SECRET","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}}]}],
                 "initContainers":[{"name":"init","env":[{"name":"TOKEN","value":"init-token-value"}]}],
                 "ephemeralContainers":[{"name":"debug","env":[{"name":"DEBUG_KEY","value":"ephemeral-key-value"}]}]}}
        """;

    static JsonNode Cached(string json, KindSpec kind, string kindName) =>
        JsonNode.Parse(CachedObject.From(JsonDocument.Parse(json).RootElement, kind, kindName)!.Json)!;

    [Fact]
    public void PodEnvValuesAreRedactedKeepingNamesAndReferences()
    {
        var node = Cached(PodWithEnv, Kinds.Find("pod")!, "Pod");
        var text = node.ToJsonString();
        foreach (var secret in new[] { "hunter2", "init-token-value", "ephemeral-key-value" }) Assert.DoesNotContain(secret, text);
        var env = node["spec"]!["containers"]![0]!["env"]!.AsArray();
        Assert.Equal(["DB_PASSWORD", "EMPTY", "FROM_SECRET"], env.Select(e => e!["name"]!.GetValue<string>()));
        Assert.Equal("<redacted>", env[0]!["value"]!.GetValue<string>());
        Assert.Equal("<redacted>", env[1]!["value"]!.GetValue<string>());
        Assert.Null(env[2]!["value"]);
        Assert.Equal("password", env[2]!["valueFrom"]!["secretKeyRef"]!["key"]!.GetValue<string>());
        Assert.Equal("<redacted>", node["spec"]!["initContainers"]![0]!["env"]![0]!["value"]!.GetValue<string>());
        Assert.Equal("<redacted>", node["spec"]!["ephemeralContainers"]![0]!["env"]![0]!["value"]!.GetValue<string>());
        Assert.Equal("app:1", node["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        // kubectl copies the whole object into last-applied, env included.
        Assert.Equal("<redacted>", node["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]!.GetValue<string>());

        // A snapshot read back is redacted already and stays as it is.
        var again = Cached(text, Kinds.Find("pod")!, "Pod");
        Assert.Equal(text, again.ToJsonString());
    }

    [Fact]
    public void WorkloadTemplatesCarryTheSamePodSpecAndAreRedactedToo()
    {
        var deployment = """{"metadata":{"name":"d","namespace":"n"},"spec":{"template":{"spec":{"containers":[{"name":"a","env":[{"name":"K","value":"template-secret"}]}]}}}}""";
        Assert.DoesNotContain("template-secret", Cached(deployment, Kinds.Find("deployment")!, "Deployment").ToJsonString());
        var cronJob = new KindSpec("cronjob", "batch", "v1", "cronjobs", true);
        var cron = """{"metadata":{"name":"c","namespace":"n"},"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"a","env":[{"name":"K","value":"cron-secret"}]}]}}}}}}""";
        Assert.DoesNotContain("cron-secret", Cached(cron, cronJob, "CronJob").ToJsonString());
    }

    [Fact]
    public void AKindOptedOutKeepsItsEnvValues()
    {
        var node = Cached(PodWithEnv, Kinds.Find("pod")! with { KeepEnvValues = true }, "Pod");
        Assert.Equal("hunter2", node["spec"]!["containers"]![0]!["env"]![0]!["value"]!.GetValue<string>());
        Assert.Contains("hunter2", node["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheOptOutComesFromTheSettingAndNamesWatchedKinds()
    {
        var options = ClusterCacheOptions.From(k => k == "CATALYST_K8SCACHE_UNREDACTED_KINDS" ? "pod,nosuchkind" : null);
        var registry = await KindSources.LoadAsync(options, () => null, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);
        Assert.True(registry.Find("pod")!.KeepEnvValues);
        Assert.False(registry.Find("deployment")!.KeepEnvValues);
        Assert.Null(registry.Find("nosuchkind"));
        Assert.False(KindRegistry.WithDefaults().Find("pod")!.KeepEnvValues);
    }
}
