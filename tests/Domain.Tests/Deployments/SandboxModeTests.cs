using Catalyst.Domain.Configuration;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tests.Deployments;

/// <summary>A sandbox must not be able to reach a real cloud: it starts only when every outside party is a loopback fake.</summary>
public class SandboxModeTests
{
    static readonly Dictionary<string, string?> Safe = new()
    {
        [SandboxMode.Setting] = "true",
        ["CATALYST_HETZNER_API_BASE_URL"] = "http://127.0.0.1:41001",
        ["CATALYST_DYNADOT_BASE_URL"] = "http://localhost:41002/",
        ["CATALYST_OBJECT_STORAGE_ENDPOINT_TEMPLATE"] = "http://127.0.0.1:41003/{region}",
        ["CATALYST_TOFU_BINARY"] = "/tmp/sandbox/tofu",
    };

    static SandboxMode From(Dictionary<string, string?> settings) => SandboxMode.From(k => settings.GetValueOrDefault(k));

    static Dictionary<string, string?> SafeWith(string key, string? value) => new(Safe) { [key] = value };

    [Fact]
    public void OffByDefaultWhateverElseIsSet() =>
        Assert.False(From(new() { ["CATALYST_TOFU_BINARY"] = "tofu" }).Enabled);

    [Fact]
    public void OnWhenEveryPartyIsALoopbackFake()
    {
        Assert.True(From(Safe).Enabled);
        Assert.True(From(SafeWith("CATALYST_HETZNER_API_BASE_URL", "http://[::1]:9/")).Enabled);
    }

    [Theory]
    [InlineData("CATALYST_HETZNER_API_BASE_URL", null)]
    [InlineData("CATALYST_HETZNER_API_BASE_URL", "https://api.hetzner.cloud")]
    [InlineData("CATALYST_HETZNER_API_BASE_URL", "http://10.0.0.5:8080")]
    [InlineData("CATALYST_DYNADOT_BASE_URL", null)]
    [InlineData("CATALYST_DYNADOT_BASE_URL", "https://api.dynadot.com")]
    [InlineData("CATALYST_DYNADOT_BASE_URL", "http://127.0.0.1.example.com:80")]
    [InlineData("CATALYST_DYNADOT_BASE_URL", "not a url")]
    [InlineData("CATALYST_OBJECT_STORAGE_ENDPOINT_TEMPLATE", null)]
    [InlineData("CATALYST_OBJECT_STORAGE_ENDPOINT_TEMPLATE", "https://{region}.your-objectstorage.com")]
    [InlineData("CATALYST_TOFU_BINARY", null)]
    [InlineData("CATALYST_TOFU_BINARY", "tofu")]
    public void RefusesToStartWhenSomethingCouldBeReal(string key, string? value)
    {
        var e = Assert.Throws<SettingException>(() => From(SafeWith(key, value)));
        Assert.Equal(SandboxMode.Setting, e.Setting);
        Assert.Contains(key, e.Message);
    }
}
