using System.Text.Json;
using Catalyst.Domain.Tofu;

namespace Catalyst.Tofu.Tests.Unit;

public class TofuWorkdirTests
{
    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void CreatesThePerDeploymentFolderOwnerOnly()
    {
        using var temp = new TempDir();
        var id = Samples.NewId();
        var path = TofuWorkdir.Create(temp.File("work"), id);

        Assert.Equal(Path.Combine(temp.File("work"), id), path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("ABCDEF0123456789")]
    [InlineData("")]
    public void RefusesWhatIsNotADeploymentId(string id)
    {
        using var temp = new TempDir();
        Assert.Throws<ArgumentException>(() => TofuWorkdir.Create(temp.Path, id));
    }

    [Fact]
    public void TfvarsArePrettyOwnerOnlyAndHoldExactlyTheVariables()
    {
        using var temp = new TempDir();
        TofuWorkdir.WriteTfvars(temp.Path, new Dictionary<string, object?>
        {
            ["worker_count"] = 2,
            ["deployment_id"] = "0123456789abcdef",
            ["ha_enabled"] = false,
            ["ssh_allowed_cidrs"] = new[] { "203.0.113.7/32" },
        });

        var path = temp.File(TofuWorkdir.TfvarsFileName);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        var text = File.ReadAllText(path);
        Assert.StartsWith("{\n  \"deployment_id\": \"0123456789abcdef\",\n  \"ha_enabled\": false,", text);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(["deployment_id", "ha_enabled", "ssh_allowed_cidrs", "worker_count"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, json.RootElement.GetProperty("worker_count").GetInt32());
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void TfvarsRewriteKeepsOwnerOnlyModeEvenOverAWideFile()
    {
        using var temp = new TempDir();
        var path = temp.File(TofuWorkdir.TfvarsFileName);
        File.WriteAllText(path, "{}");
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        TofuWorkdir.WriteTfvars(temp.Path, new Dictionary<string, object?> { ["region"] = "fsn1" });

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
    }

    [Theory]
    [MemberData(nameof(SecretNames))]
    public void TfvarsRefuseEverySecretVariable(string secret)
    {
        using var temp = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => TofuWorkdir.WriteTfvars(temp.Path, new Dictionary<string, object?> { ["region"] = "fsn1", [secret] = "s3cr3t-value" }));
        Assert.Contains(secret, e.Message);
        Assert.DoesNotContain("s3cr3t-value", e.Message);
        Assert.False(File.Exists(temp.File(TofuWorkdir.TfvarsFileName)));
    }

    public static TheoryData<string> SecretNames() => new(TofuContract.SecretVariables);

    [Fact]
    public void StagesModuleFilesOnlyOwnerOnlyAndKeepsTheirTimes()
    {
        using var temp = new TempDir();
        var module = Directory.CreateDirectory(temp.File("module")).FullName;
        File.WriteAllText(Path.Combine(module, "main.tf"), "terraform {}\n");
        File.WriteAllText(Path.Combine(module, "cloudinit.tftpl"), "#cloud-config\n");
        File.WriteAllText(Path.Combine(module, ".terraform.lock.hcl"), "# lock\n");
        File.WriteAllText(Path.Combine(module, "README.md"), "docs\n");
        Directory.CreateDirectory(Path.Combine(module, "nested.tf"));
        var work = Directory.CreateDirectory(temp.File("work")).FullName;

        TofuWorkdir.StageModule(module, work);

        Assert.Equal([".terraform.lock.hcl", "cloudinit.tftpl", "main.tf"], Directory.GetFileSystemEntries(work).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var file in Directory.GetFiles(work))
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
            Assert.Equal(File.GetLastWriteTimeUtc(Path.Combine(module, Path.GetFileName(file))), File.GetLastWriteTimeUtc(file));
        }
    }

    [Fact]
    public void SkipsAFileWithTheSameSizeAndTimeAndRecopiesAChangedOne()
    {
        using var temp = new TempDir();
        var module = Directory.CreateDirectory(temp.File("module")).FullName;
        var source = Path.Combine(module, "main.tf");
        File.WriteAllText(source, "aaaa");
        var work = Directory.CreateDirectory(temp.File("work")).FullName;
        TofuWorkdir.StageModule(module, work);

        // Same size and time: the copy is taken as current (the original's rule), so this edit survives.
        var staged = Path.Combine(work, "main.tf");
        var time = File.GetLastWriteTimeUtc(staged);
        File.WriteAllText(staged, "bbbb");
        File.SetLastWriteTimeUtc(staged, time);
        TofuWorkdir.StageModule(module, work);
        Assert.Equal("bbbb", File.ReadAllText(staged));

        File.WriteAllText(source, "changed");
        TofuWorkdir.StageModule(module, work);
        Assert.Equal("changed", File.ReadAllText(staged));
    }

    [Fact]
    public void RemovesModuleFilesTheModuleNoLongerHas()
    {
        using var temp = new TempDir();
        var module = Samples.Module(temp);
        var work = Directory.CreateDirectory(temp.File("work")).FullName;
        File.WriteAllText(Path.Combine(work, "renamed_away.tf"), "resource \"x\" \"y\" {}");
        File.WriteAllText(Path.Combine(work, "tfplan"), "plan");

        TofuWorkdir.StageModule(module, work);

        Assert.False(File.Exists(Path.Combine(work, "renamed_away.tf")));
        Assert.True(File.Exists(Path.Combine(work, "tfplan")));
    }

    [Fact]
    public void StagingTheRealModuleCopiesItsFiles()
    {
        using var temp = new TempDir();
        var module = Path.Combine(Catalyst.Testing.RepoPaths.Root, "infra", "hetzner");
        TofuWorkdir.StageModule(module, temp.Path);

        Assert.Contains("variables_secret.tf", Directory.GetFiles(temp.Path).Select(Path.GetFileName));
        Assert.Contains("cloudinit-control-plane.tftpl", Directory.GetFiles(temp.Path).Select(Path.GetFileName));
        Assert.DoesNotContain("README.md", Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }
}
