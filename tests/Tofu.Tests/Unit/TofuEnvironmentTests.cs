using Catalyst.Domain.Tofu;

namespace Catalyst.Tofu.Tests.Unit;

public class TofuEnvironmentTests
{
    static readonly Dictionary<string, string?> Parent = new()
    {
        ["PATH"] = "/usr/bin:/bin",
        ["HOME"] = "/home/nonroot",
        ["TF_VAR_hcloud_token"] = "inherited-token",
        ["TF_VAR_stray"] = "stray",
        ["TF_HTTP_ADDRESS"] = "http://elsewhere/state",
        ["TF_HTTP_SKIP_CERT_VERIFICATION"] = "true",
        ["TF_ENCRYPTION"] = "inherited encryption",
        ["TF_CLI_ARGS_apply"] = "-lock=false",
        ["TF_INPUT"] = "true",
        ["TF_LOG"] = "INFO",
        ["CATALYST_VAULT_KEY"] = "vault-key",
        ["AzureWebJobsStorage"] = "AccountKey=storage-key",
        ["DYNADOT_API_SECRET"] = "dynadot-secret",
        ["IDENTITY_ENDPOINT"] = "http://169.254.169.254/msi",
        ["IDENTITY_HEADER"] = "managed-identity-secret",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=telemetry-key",
        ["HTTPS_PROXY"] = "http://proxy:3128",
        ["FAKE_TOFU_JOURNAL"] = "/tmp/journal",
    };

    static (TofuInvocation Invocation, Dictionary<string, string> Environment) Build()
    {
        var id = Samples.NewId();
        var invocation = Samples.Invocation(id, Samples.Backend(id));
        return (invocation, TofuEnvironment.Build(Parent, invocation));
    }

    [Fact]
    public void SecretsArriveAsTfVarsAndOnlyThese()
    {
        var (invocation, environment) = Build();

        foreach (var (name, value) in invocation.SecretVariables)
            Assert.Equal(value, environment["TF_VAR_" + name]);
        Assert.Equal(invocation.SecretVariables.Keys.Select(k => "TF_VAR_" + k).Order(),
            environment.Keys.Where(k => k.StartsWith("TF_VAR_", StringComparison.Ordinal)).Order());
        Assert.DoesNotContain(environment.Values, v => v == "inherited-token");
    }

    [Fact]
    public void TheBackendIsTheAppsOwnWithStandardVerbs()
    {
        var (invocation, environment) = Build();
        var backend = invocation.Backend;

        Assert.Equal(backend.StateAddress, environment["TF_HTTP_ADDRESS"]);
        Assert.Equal(backend.LockAddress, environment["TF_HTTP_LOCK_ADDRESS"]);
        Assert.Equal(backend.LockAddress, environment["TF_HTTP_UNLOCK_ADDRESS"]);
        Assert.Equal("POST", environment["TF_HTTP_LOCK_METHOD"]);
        Assert.Equal("DELETE", environment["TF_HTTP_UNLOCK_METHOD"]);
        Assert.Equal("POST", environment["TF_HTTP_UPDATE_METHOD"]);
        Assert.Equal(backend.Username, environment["TF_HTTP_USERNAME"]);
        Assert.Equal(backend.Password, environment["TF_HTTP_PASSWORD"]);
        Assert.EndsWith($"/api/v1/tofu/state/{invocation.DeploymentId}", backend.StateAddress);
        Assert.Equal(backend.StateAddress + "/lock", backend.LockAddress);
    }

    [Fact]
    public void InheritedTofuConfigurationIsDroppedAndOnlyTheAllowlistIsInherited()
    {
        var (_, environment) = Build();

        Assert.False(environment.ContainsKey("TF_VAR_stray"));
        Assert.False(environment.ContainsKey("TF_HTTP_SKIP_CERT_VERIFICATION"));
        Assert.False(environment.ContainsKey("TF_CLI_ARGS_apply"));
        Assert.NotEqual("http://elsewhere/state", environment["TF_HTTP_ADDRESS"]);
        Assert.NotEqual("inherited encryption", environment["TF_ENCRYPTION"]);
        Assert.Equal("false", environment["TF_INPUT"]);
        Assert.Equal("true", environment["TF_IN_AUTOMATION"]);
        Assert.Equal("/usr/bin:/bin", environment["PATH"]);
        Assert.Equal("http://proxy:3128", environment["HTTPS_PROXY"]);
        // Issue 15: nothing outside the allowlist and what Catalyst sets for this run.
        var set = new[] { "TF_INPUT", "TF_IN_AUTOMATION", "TF_ENCRYPTION", "HCLOUD_ENDPOINT" };
        Assert.All(environment.Keys, name => Assert.True(TofuEnvironment.Inherited.Contains(name) || set.Contains(name)
            || name.StartsWith("TF_VAR_", StringComparison.Ordinal) || name.StartsWith("TF_HTTP_", StringComparison.Ordinal), $"{name} is not allowed"));
        Assert.False(environment.ContainsKey("TF_LOG"));
    }

    [Fact]
    public void AnOperatorMayLetNamesThroughButNeverTheRunsOwn()
    {
        var id = Samples.NewId();
        var environment = TofuEnvironment.Build(Parent, Samples.Invocation(id, Samples.Backend(id)), ["TF_LOG", "FAKE_TOFU_*", "TF_VAR_*", "TF_HTTP_*"]);
        Assert.Equal("INFO", environment["TF_LOG"]);
        Assert.Equal("/tmp/journal", environment["FAKE_TOFU_JOURNAL"]);
        Assert.False(environment.ContainsKey("TF_VAR_stray"));
        Assert.False(environment.ContainsKey("TF_HTTP_SKIP_CERT_VERIFICATION"));
        Assert.False(environment.ContainsKey("IDENTITY_HEADER"));
    }

    [Theory]
    [InlineData("TF_LOG, FAKE_TOFU_*", true)]
    [InlineData("", true)]
    [InlineData("*", false)]
    [InlineData("A*B", false)]
    [InlineData("NAME=value", false)]
    public void ThePassthroughSettingIsNamesOrPrefixes(string value, bool valid)
    {
        var read = (string name) => name == TofuSettings.EnvPassthroughSetting ? value : null;
        if (valid) TofuSettings.From(read);
        else Assert.Throws<Catalyst.Domain.Configuration.SettingException>(() => TofuSettings.From(read));
    }

    [Fact]
    public void TheAppsOwnSecretsStayInTheApp()
    {
        var (_, environment) = Build();

        Assert.False(environment.ContainsKey("CATALYST_VAULT_KEY"));
        Assert.False(environment.ContainsKey("AzureWebJobsStorage"));
        Assert.False(environment.ContainsKey("DYNADOT_API_SECRET"));
        Assert.False(environment.ContainsKey("IDENTITY_HEADER"));
        Assert.False(environment.ContainsKey("APPLICATIONINSIGHTS_CONNECTION_STRING"));
        Assert.DoesNotContain(environment.Keys, k => k.Contains("dynadot", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void EncryptionUsesPbkdf2AndAesGcmForStateAndPlanEnforced()
    {
        var (invocation, environment) = Build();
        var config = environment["TF_ENCRYPTION"];

        Assert.Contains($"key_provider \"pbkdf2\" \"catalyst\" {{\n  passphrase = \"{invocation.Backend.EncryptionPassphrase}\"\n}}", config);
        Assert.Contains("method \"aes_gcm\" \"catalyst\" {\n  keys = key_provider.pbkdf2.catalyst\n}", config);
        Assert.Contains("state {\n  method   = method.aes_gcm.catalyst\n  enforced = true\n}", config);
        Assert.Contains("plan {\n  method   = method.aes_gcm.catalyst\n  enforced = true\n}", config);
    }

    [Fact]
    public void PassphraseCannotBreakOutOfItsHclString()
    {
        var config = TofuEnvironment.EncryptionConfig("a\"b\\c${var.x}%{if}\nline-long-enough");
        Assert.Contains("passphrase = \"a\\\"b\\\\c$${var.x}%%{if}\\nline-long-enough\"", config);
    }

    [Fact]
    public void ShortPassphraseIsRefusedWithoutEchoingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => TofuEnvironment.EncryptionConfig("short-secret"));
        Assert.DoesNotContain("short-secret", e.Message);
    }

    [Fact]
    public void AVariableNameThatIsNotAnIdentifierIsRefused()
    {
        var id = Samples.NewId();
        var invocation = Samples.Invocation(id, Samples.Backend(id)) with
        {
            SecretVariables = new Dictionary<string, string> { ["x=y"] = "v" },
        };
        Assert.Throws<ArgumentException>(() => TofuEnvironment.Build(Parent, invocation));
    }

    [Fact]
    public void TheHcloudProviderGetsTheAppsHetznerEndpointOrNone()
    {
        var id = Samples.NewId();
        var invocation = Samples.Invocation(id, Samples.Backend(id));
        var parent = new Dictionary<string, string?>(Parent) { ["HCLOUD_ENDPOINT"] = "http://inherited/v1" };

        Assert.False(TofuEnvironment.Build(parent, invocation).ContainsKey("HCLOUD_ENDPOINT"));
        Assert.Equal("http://127.0.0.1:4000/v1", TofuEnvironment.Build(parent, invocation with { HetznerEndpoint = "http://127.0.0.1:4000/v1" })["HCLOUD_ENDPOINT"]);
        Assert.Null(Catalyst.Functions.Activities.TofuRunContext.HcloudEndpoint(new(new Uri("https://api.hetzner.cloud/"))));
        Assert.Equal("http://127.0.0.1:4000/v1", Catalyst.Functions.Activities.TofuRunContext.HcloudEndpoint(new(new Uri("http://127.0.0.1:4000/"))));
    }
}
