using System.Collections.Concurrent;
using System.Security.Cryptography;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Tofu;
using Catalyst.Testing;

namespace Catalyst.Tofu.Tests;

/// <summary>A folder under /tmp that is removed with the test.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("catalyst-tofu-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a child process may still be letting go of a file; /tmp is cleaned anyway
        }
    }
}

public static class Samples
{
    /// <summary>Shaped like a Hetzner token (64 alphanumerics), unique per test so a leak search is exact.</summary>
    public static string HcloudToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static TofuInvocation Invocation(string deploymentId, TofuBackend backend, int workers = 2, bool ha = false, string? hcloudToken = null) => new(
        deploymentId,
        new Dictionary<string, object?>
        {
            ["deployment_id"] = deploymentId,
            ["sovereign_fqdn"] = "acme.omani.works",
            ["org_name"] = "Acme",
            ["region"] = "fsn1",
            ["worker_count"] = workers,
            ["ha_enabled"] = ha,
            ["ssh_allowed_cidrs"] = new[] { "203.0.113.7/32" },
        },
        new Dictionary<string, string>
        {
            ["hcloud_token"] = hcloudToken ?? HcloudToken(),
            ["harbor_robot_token"] = "harbor-robot-" + Guid.NewGuid().ToString("N"),
            ["kubeconfig_bearer_token"] = "bearer-" + Guid.NewGuid().ToString("N"),
        },
        backend);

    public static TofuBackend Backend(string deploymentId) =>
        new TofuBackendCredentials(RandomNumberGenerator.GetBytes(32)).BackendFor(deploymentId, "http://127.0.0.1:9");

    /// <summary>A module folder with one .tf file, for runs whose tofu does not read it.</summary>
    public static string Module(TempDir temp)
    {
        var module = Directory.CreateDirectory(temp.File("module")).FullName;
        System.IO.File.WriteAllText(System.IO.Path.Combine(module, "main.tf"), "terraform {}\n");
        return module;
    }

    /// <summary>An executable shell script standing in for tofu.</summary>
    public static string Script(TempDir temp, string name, string body)
    {
        var path = temp.File(name);
        System.IO.File.WriteAllText(path, "#!/usr/bin/env bash\n" + body);
        System.IO.File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>
    /// The fake tofu as an executable: a wrapper that sets the test's knobs and execs the built fake
    /// (tests/FakeTofu), so the runner starts it exactly as it would start the real binary.
    /// </summary>
    public static string FakeTofu(TempDir temp, IDictionary<string, string>? knobs = null, string name = "tofu")
    {
        var dll = RepoPaths.BuildOutput("tests/FakeTofu", "Catalyst.FakeTofu.dll");
        if (!System.IO.File.Exists(dll)) throw new InvalidOperationException($"the fake tofu is not built ({dll})");
        var exports = string.Concat((knobs ?? new Dictionary<string, string>()).Select(k => $"export {k.Key}='{k.Value}'\n"));
        return Script(temp, name, exports + $"exec dotnet '{dll}' \"$@\"\n");
    }

    public static string NewId() => DeploymentId.New();
}

/// <summary>Collects what a run reports, safe for the runner's two output streams.</summary>
public sealed class RunLog
{
    public ConcurrentQueue<TofuPhase> Phases { get; } = new();
    public ConcurrentQueue<TofuLine> Lines { get; } = new();

    public Task OnPhase(TofuPhase phase)
    {
        Phases.Enqueue(phase);
        return Task.CompletedTask;
    }

    public Task OnLine(TofuLine line)
    {
        Lines.Enqueue(line);
        return Task.CompletedTask;
    }

    public string AllText => string.Join('\n', Lines.Select(l => $"{l.Command} {l.Stream} {l.Text}"));
}

/// <summary>Events the state store records, in memory.</summary>
public sealed class RecordingEvents : IDeploymentEvents
{
    public ConcurrentQueue<(string DeploymentId, DeploymentEvent Event)> Recorded { get; } = new();
    public Exception? FailWith { get; set; }

    public Task AppendAsync(string deploymentId, IReadOnlyList<DeploymentEvent> events, CancellationToken cancellationToken)
    {
        if (FailWith is { } failure) throw failure;
        foreach (var e in events) Recorded.Enqueue((deploymentId, e));
        return Task.CompletedTask;
    }
}
