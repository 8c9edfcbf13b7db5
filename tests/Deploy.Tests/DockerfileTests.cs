using System.Text.Json;
using Catalyst.Testing;

namespace Catalyst.Deploy.Tests;

/// <summary>
/// deploy/images, read without a Docker engine: the stages and base images, the pinned and checksummed OpenTofu, the
/// module baked in where the app looks for it, the non-root user, the port, and a build context that lets them in.
/// </summary>
public sealed class DockerfileTests
{
    static string ImagesDir => Path.Combine(RepoPaths.Root, "deploy", "images");
    static Dockerfile Functions { get; } = new(Path.Combine(ImagesDir, "Dockerfile.functions"));
    static Dockerfile Standalone { get; } = new(Path.Combine(ImagesDir, "Dockerfile.standalone"));

    const string BuildImage = "mcr.microsoft.com/dotnet/sdk:10.0";
    const string ModulePath = "/infra/hetzner";

    public static TheoryData<string> Both() => new() { "Dockerfile.functions", "Dockerfile.standalone" };

    static Dockerfile Load(string name) => name == "Dockerfile.functions" ? Functions : Standalone;

    [Fact]
    public void FunctionsImageIsBuiltOnTheSdkAndRunsOnTheFunctionsHost()
    {
        Assert.Equal(BuildImage, Functions.StageNamed("build").BaseImage);
        Assert.Equal("mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0", Functions.Final.BaseImage);
        var env = Functions.Final.Environment();
        Assert.Equal("/home/site/wwwroot", env["AzureWebJobsScriptRoot"]);
        Assert.Equal("true", env["AzureFunctionsJobHost__Logging__Console__IsEnabled"]);
        Assert.Equal("http://+:8080", env["ASPNETCORE_URLS"]); // the host serves on 80 otherwise
        Assert.Equal("true", env["AzureWebJobsDisableHomepage"]); // "/" is the console, not the host's splash page
        Assert.Contains(Functions.Final.Arguments("COPY"), c => c.StartsWith("--from=build ", StringComparison.Ordinal) && c.EndsWith(" /home/site/wwwroot", StringComparison.Ordinal));
    }

    [Fact]
    public void FunctionsImageRunsTheHostUnderTiniSoSigtermReachesIt()
    {
        // The base image's CMD starts the host from a shell script without exec (issue 19): SIGTERM never reached it.
        var entrypoint = JsonSerializer.Deserialize<string[]>(Functions.Final.Arguments("ENTRYPOINT").Single()) ?? [];
        Assert.Equal(["/usr/bin/tini", "--"], entrypoint);
        var command = JsonSerializer.Deserialize<string[]>(Functions.Final.Arguments("CMD").Single()) ?? [];
        Assert.Equal(["/azure-functions-host/Microsoft.Azure.WebJobs.Script.WebHost"], command);
        Assert.Contains(Functions.Final.Arguments("RUN"), r => r.Contains("install -y --no-install-recommends tini", StringComparison.Ordinal));
    }

    [Fact]
    public void StandaloneImageRunsTheDllOnAspNet()
    {
        Assert.Equal(BuildImage, Standalone.StageNamed("build").BaseImage);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", Standalone.Final.BaseImage);
        Assert.Equal("standalone", Standalone.Final.Environment()["CATALYST_HOST_MODE"]);
        Assert.Equal("8080", Standalone.Final.Environment()["PORT"]);
        var entrypoint = JsonSerializer.Deserialize<string[]>(Standalone.Final.Arguments("ENTRYPOINT").Single()) ?? [];
        Assert.Equal(["dotnet", "Catalyst.Functions.dll"], entrypoint);
        var workdir = Standalone.Final.Arguments("WORKDIR").Last();
        Assert.Contains(Standalone.Final.Arguments("COPY"), c => c == $"--from=build /out {workdir}");
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void PublishesTheFunctionsProject(string name)
    {
        var build = Load(name).StageNamed("build");
        Assert.Contains(build.Arguments("RUN"), r => r.Contains("dotnet publish src/Functions/Catalyst.Functions.csproj", StringComparison.Ordinal) && r.Contains("-c Release") && r.Contains("-o /out"));
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void OpenTofuIsPinnedAndChecksummedInItsOwnStage(string name)
    {
        var file = Load(name);
        var version = file.GlobalArguments["TOFU_VERSION"];
        var sha256 = file.GlobalArguments["TOFU_SHA256"];
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);
        Assert.Matches("^[0-9a-f]{64}$", sha256);

        var tofu = file.StageNamed("tofu");
        Assert.NotSame(file.Final, tofu);
        Assert.Contains("TOFU_VERSION", tofu.Arguments("ARG"));
        Assert.Contains("TOFU_SHA256", tofu.Arguments("ARG"));
        var fetch = Assert.Single(tofu.Arguments("RUN"), r => r.Contains("tofu_${TOFU_VERSION}_linux_amd64.zip", StringComparison.Ordinal));
        Assert.Matches(@"echo ""\$\{TOFU_SHA256\}\s+(\S+)"" \| sha256sum -c", fetch);
        // Checked before it is unpacked.
        Assert.True(fetch.IndexOf("sha256sum -c", StringComparison.Ordinal) < fetch.IndexOf("unzip", StringComparison.Ordinal));
        Assert.Contains(file.Final.Arguments("COPY"), c => c == "--from=tofu /out/tofu /usr/local/bin/tofu");
    }

    [Fact]
    public void BothImagesPinTheSameOpenTofu()
    {
        Assert.Equal(Functions.GlobalArguments["TOFU_VERSION"], Standalone.GlobalArguments["TOFU_VERSION"]);
        Assert.Equal(Functions.GlobalArguments["TOFU_SHA256"], Standalone.GlobalArguments["TOFU_SHA256"]);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void TheModuleIsWhereTheAppAndTheDeploymentLookForIt(string name)
    {
        var final = Load(name).Final;
        Assert.Contains(final.Arguments("COPY"), c => c == $"infra/hetzner {ModulePath}");
        Assert.Equal(ModulePath, final.Environment()["CATALYST_TOFU_MODULE_PATH"]);
        foreach (var overlay in Kustomize.Overlays)
            Assert.Equal(ModulePath, Manifests.Of(overlay).AppEnvironment()["CATALYST_TOFU_MODULE_PATH"].Value);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void TheRuntimeCarriesSetprivSoTofuDiesWithItsHost(string name) =>
        Assert.Contains(Load(name).Final.Arguments("RUN"), r => r.StartsWith("command -v setpriv &&", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Both))]
    public void RunsAsTheSeedsNonRootUidOn8080(string name)
    {
        var final = Load(name).Final;
        Assert.Matches("^65534(:65534)?$", final.User);
        Assert.Contains("8080", final.Arguments("EXPOSE"));
        Assert.Equal("/home/nonroot", final.Environment()["HOME"]);
    }

    [Fact]
    public void TheBuildContextLetsInWhatTheDockerfilesCopyAndNothingElse()
    {
        var ignore = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal("*", ignore[0]); // an allow-list: local.settings.json, .data/ and state files never reach an image
        var allowed = ignore.Where(l => l.StartsWith('!')).Select(l => l[1..].TrimEnd('/')).ToList();
        foreach (var file in new[] { Functions, Standalone })
        {
            foreach (var copy in file.Stages.SelectMany(s => s.Arguments("COPY")).Where(c => !c.StartsWith("--from=", StringComparison.Ordinal)))
            {
                var sources = copy.Split(' ')[..^1];
                foreach (var source in sources)
                {
                    Assert.True(File.Exists(Path.Combine(RepoPaths.Root, source)) || Directory.Exists(Path.Combine(RepoPaths.Root, source)), $"{file.Path}: COPY {source}: no such path");
                    Assert.True(allowed.Any(a => source.TrimEnd('/') == a || source.StartsWith(a + "/", StringComparison.Ordinal)), $"{file.Path}: COPY {source} is not let in by .dockerignore");
                }
            }
        }

        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
        Assert.Contains("**/local.settings.json", ignore);
    }
}
