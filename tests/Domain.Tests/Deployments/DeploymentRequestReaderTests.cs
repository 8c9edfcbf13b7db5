using System.Text;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tests.Deployments;

public class DeploymentRequestReaderTests
{
    static ApiError? Error(string? contentType, string body, bool truncated = false) =>
        DeploymentRequestReader.Read(contentType, Encoding.UTF8.GetBytes(body), truncated).Error;

    [Fact]
    public void ReadsTheWireFieldNames()
    {
        var (request, error) = DeploymentRequestReader.Read("application/json; charset=utf-8",
            """{"orgName":"Acme","sovereignFQDN":"a.b.c","hetznerProjectID":"7","workerCount":3,"haEnabled":true,"regions":[{"cloudRegion":"hel1"}]}"""u8, false);
        Assert.Null(error);
        Assert.Equal(("Acme", "a.b.c", "7", 3, true, "hel1"), (request!.OrgName, request.SovereignFqdn, request.HetznerProjectId, request.WorkerCount, request.HaEnabled, request.Regions[0].CloudRegion));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("""{"workerCount":"three"}""")]
    [InlineData("""{"orgName":5}""")]
    public void MalformedOrMistypedBodiesAreInvalid(string body) =>
        Assert.StartsWith("invalid request body", Error("application/json", body)!.Error);

    [Fact]
    public void NullBodyIsInvalid() => Assert.Equal("invalid request body: expected a JSON object", Error("application/json", "null")!.Error);

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public void WrongContentTypeIsInvalid(string? contentType) =>
        Assert.Equal("invalid request body: Content-Type must be application/json", Error(contentType, "{}")!.Error);

    [Fact]
    public void OversizedBodyIsRefused() => Assert.Equal("request-too-large", Error("application/json", "{}", truncated: true)!.Error);

    [Fact]
    public void ServerStampedFieldsFromTheWireAreIgnored()
    {
        var (request, _) = DeploymentRequestReader.Read("application/json", """{"ghcrPullToken":"evil","harborRobotToken":"evil"}"""u8, false);
        Assert.DoesNotContain("evil", System.Text.Json.JsonSerializer.Serialize(request));
    }
}

public class DeploymentRequestNullTests
{
    static readonly string[] StringFields =
    [
        "orgName", "orgEmail", "sovereignFQDN", "sovereignDomainMode", "sovereignPoolDomain", "sovereignSubdomain", "hetznerToken",
        "hetznerProjectID", "region", "controlPlaneSize", "workerSize", "sshPublicKey", "objectStorageRegion",
        "objectStorageAccessKey", "objectStorageSecretKey", "objectStorageBucket",
    ];

    public static TheoryData<string> Fields() => new(StringFields.Append("regions"));

    // Go's decoder leaves a null field at its zero value; a null must reach the rules as "" or [], never as a crash.
    [Theory]
    [MemberData(nameof(Fields))]
    public void NullFieldsReadAsEmptyAndTheRulesExplainWhatIsMissing(string field)
    {
        var body = $$"""{"sovereignDomainMode":"pool","regions":[{"cloudRegion":null,"provider":null}],"{{field}}":null}""";
        var (request, error) = DeploymentRequestReader.Read("application/json", System.Text.Encoding.UTF8.GetBytes(body), false);
        Assert.Null(error);
        foreach (var value in StringFields.Select(f => typeof(DeploymentRequest).GetProperties()
                     .Single(p => p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonPropertyNameAttribute), false)
                         .Cast<System.Text.Json.Serialization.JsonPropertyNameAttribute>().Any(a => a.Name == f)).GetValue(request)))
            Assert.NotNull(value);
        Assert.NotNull(request!.Regions);
        Assert.NotNull(DeploymentValidator.Validate(request, new OperatorSecrets("g", "h", "p", "", "")));
    }
}
