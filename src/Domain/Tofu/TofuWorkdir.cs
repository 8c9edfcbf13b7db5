using System.Text.Json;
using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tofu;

/// <summary>
/// The per-deployment directory tofu runs in (reference B.5): the module's files, copied in, and the
/// non-secret variables as <c>tofu.auto.tfvars.json</c>. Owner-only permissions throughout, because the
/// directory also holds tofu's plan and provider cache. Scratch only: state is in blob storage, so a pod rolled
/// mid-apply loses nothing a re-run cannot rebuild (seed incident otech64 lost its partial state with the pod).
/// </summary>
public static class TofuWorkdir
{
    public const string TfvarsFileName = "tofu.auto.tfvars.json";

    const UnixFileMode OwnerDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    static readonly JsonSerializerOptions TfvarsJson = new() { WriteIndented = true, IndentSize = 2 };

    /// <summary><c>&lt;root&gt;/&lt;deploymentId&gt;</c>, created 0700. Only well-formed ids reach a path.</summary>
    public static string Create(string root, string deploymentId)
    {
        if (!DeploymentId.IsValid(deploymentId))
            throw new ArgumentException("not a deployment id", nameof(deploymentId));
        var path = Path.Combine(root, deploymentId);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return path;
        }
        Directory.CreateDirectory(root, OwnerDirectory);
        Directory.CreateDirectory(path, OwnerDirectory);
        // An existing folder keeps its mode; make sure it is ours alone.
        File.SetUnixFileMode(path, OwnerDirectory);
        return path;
    }

    /// <summary>Whether a module file is staged: the module's .tf
    /// and .tftpl files and its provider lock file.</summary>
    public static bool IsModuleFile(string fileName) =>
        fileName.EndsWith(".tf", StringComparison.Ordinal) || fileName.EndsWith(".tftpl", StringComparison.Ordinal)
        || fileName == ".terraform.lock.hcl";

    /// <summary>
    /// Copies the module's files (not folders) in, mode 0600, skipping a file whose size and modification time
    /// already match. Module files the module no longer has are removed, or tofu would still read them.
    /// </summary>
    public static void StageModule(string modulePath, string workdir)
    {
        if (!Directory.Exists(modulePath))
            throw new DirectoryNotFoundException($"module folder {modulePath} does not exist");
        var sources = new DirectoryInfo(modulePath).EnumerateFiles().Where(f => IsModuleFile(f.Name)).ToList();
        if (!sources.Any(f => f.Name.EndsWith(".tf", StringComparison.Ordinal)))
            throw new FileNotFoundException($"module folder {modulePath} has no .tf file");

        foreach (var source in sources)
        {
            var target = new FileInfo(Path.Combine(workdir, source.Name));
            if (target.Exists && target.Length == source.Length && target.LastWriteTimeUtc == source.LastWriteTimeUtc)
                continue;
            WriteOwnerOnly(target.FullName, stream =>
            {
                using var input = source.OpenRead();
                input.CopyTo(stream);
            });
            File.SetLastWriteTimeUtc(target.FullName, source.LastWriteTimeUtc);
        }

        var staged = sources.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in new DirectoryInfo(workdir).EnumerateFiles()
            .Where(f => IsModuleFile(f.Name) && !staged.Contains(f.Name)))
            stale.Delete();
    }

    /// <summary>
    /// Writes the non-secret variables, pretty-printed with sorted keys (a retried run writes the same bytes).
    /// Refuses a secret variable (the contract's, or any in <paramref name="alsoSecret"/>): those go only to
    /// <c>TF_VAR_*</c> (DESIGN §4).
    /// </summary>
    public static void WriteTfvars(string workdir, IReadOnlyDictionary<string, object?> variables,
        IEnumerable<string>? alsoSecret = null)
    {
        var secrets = TofuContract.SecretVariables.Concat(alsoSecret ?? []).ToHashSet(StringComparer.Ordinal);
        if (variables.Keys.FirstOrDefault(secrets.Contains) is { } secret)
            throw new ArgumentException(
                $"variable {secret} is secret: it is passed only as TF_VAR_{secret}, never written to {TfvarsFileName}",
                nameof(variables));
        var sorted = new SortedDictionary<string, object?>(variables.ToDictionary(), StringComparer.Ordinal);
        var json = JsonSerializer.Serialize(sorted, TfvarsJson) + "\n";
        WriteOwnerOnly(Path.Combine(workdir, TfvarsFileName), stream =>
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(json);
            stream.Write(bytes);
        });
    }

    // Writes through a temporary file created 0600 and renamed over the target, so the target never exists
    // with wider permissions and a crash never leaves it half-written.
    static void WriteOwnerOnly(string path, Action<Stream> write)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerFile;
        using (var stream = new FileStream(temporary, options))
        {
            write(stream);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
