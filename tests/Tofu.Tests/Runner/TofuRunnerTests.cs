using System.Diagnostics;
using Catalyst.Domain.Configuration;
using Catalyst.Domain.Tofu;
using Catalyst.Testing;

namespace Catalyst.Tofu.Tests.Runner;

/// <summary>The runner against shell scripts standing in for tofu: commands, streams, failures, signals.</summary>
public class TofuRunnerTests
{
    static TofuRunner Runner(TempDir temp, string binary, TimeSpan? timeout = null, ITofuStateLock? stateLock = null) =>
        new(new TofuSettings(Samples.Module(temp), temp.File("work"), binary, timeout ?? TimeSpan.FromMinutes(2), "http://127.0.0.1:9"), stateLock)
        {
            InterruptGrace = TimeSpan.FromSeconds(10),
        };

    static TofuInvocation Invocation() => Samples.Invocation(Samples.NewId(), Samples.Backend("0123456789abcdef"));

    [Fact]
    public async Task ApplyRunsTheOriginalsCommandsAndPhasesAndReadsTheOutputs()
    {
        using var temp = new TempDir();
        var calls = temp.File("calls.log");
        var tofu = Samples.Script(temp, "tofu", $$"""
            echo "$*" >> '{{calls}}'
            if [ "$1" = output ]; then
              printf '{\n  "control_plane_ip": {"sensitive": false, "type": "string", "value": "203.0.113.9"},\n  "load_balancer_ip": {"type": "string", "value": "198.51.100.7"}\n}\n'
              echo "output warning" >&2
              exit 0
            fi
            echo "   $1 says hello   "
            echo ""
            echo "$1 line two"
            echo "$1 warning" >&2
            """);
        var log = new RunLog();

        var outputs = await Runner(temp, tofu).ApplyAsync(Invocation(), log.OnPhase, log.OnLine, CancellationToken.None);

        Assert.Equal(new TofuOutputs("203.0.113.9", "198.51.100.7"), outputs);
        Assert.Equal(
            ["init -input=false -no-color", "plan -input=false -no-color -out=tfplan", "apply -input=false -no-color -auto-approve tfplan", "output -json -no-color"],
            File.ReadAllLines(calls));
        Assert.Equal(
            [
                ("tofu-init", "Initialising OpenTofu working directory"),
                ("tofu-plan", "Planning Hetzner resources (network, firewall, server, LB, DNS)"),
                ("tofu-apply", "Applying — this provisions real Hetzner resources, please wait"),
                ("tofu-output", "Reading OpenTofu outputs"),
            ],
            log.Phases.Select(p => (p.Name, p.Message)));
        var plan = log.Lines.Where(l => l.Command == "plan").ToList();
        Assert.Equal(["plan says hello", "plan line two"], plan.Where(l => l.Stream == TofuStream.Stdout).Select(l => l.Text));
        Assert.Equal(["plan warning"], plan.Where(l => l.Stream == TofuStream.Stderr).Select(l => l.Text));
        // output -json may hold values: parsed, never streamed.
        Assert.Equal(["output warning"], log.Lines.Where(l => l.Command == "output").Select(l => l.Text));
    }

    [Fact]
    public async Task SecretsReachTofuOnlyThroughItsEnvironment()
    {
        using var temp = new TempDir();
        var dump = temp.File("env.txt");
        var tofu = Samples.Script(temp, "tofu", $$"""
            [ "$1" = init ] && { echo "TOKEN=$TF_VAR_hcloud_token"; echo "ADDRESS=$TF_HTTP_ADDRESS"; env | grep -c '^TF_ENCRYPTION=' ; } > '{{dump}}'
            [ "$1" = output ] && echo '{}'
            exit 0
            """);
        var invocation = Invocation();

        var outputs = await Runner(temp, tofu).ApplyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);

        Assert.Equal(new TofuOutputs("", ""), outputs);
        var dumped = File.ReadAllLines(dump);
        Assert.Equal([$"TOKEN={invocation.SecretVariables["hcloud_token"]}", "1"], [dumped[0], dumped[2]]);
        // The run's tag rides on the address; the address itself is the deployment's.
        Assert.StartsWith($"ADDRESS={invocation.Backend.StateAddress}?op=apply&run=0&exec=", dumped[1]);
        var workdir = Path.Combine(temp.File("work"), invocation.DeploymentId);
        var tfvars = File.ReadAllText(Path.Combine(workdir, TofuWorkdir.TfvarsFileName));
        foreach (var secret in invocation.SecretVariables.Values.Where(v => v.Length > 0).Append(invocation.Backend.Password).Append(invocation.Backend.EncryptionPassphrase))
            foreach (var file in Directory.GetFiles(workdir, "*", SearchOption.AllDirectories))
                Assert.DoesNotContain(secret, File.ReadAllText(file));
        Assert.Contains(invocation.DeploymentId, tfvars);
    }

    [Fact]
    public async Task AFailedCommandReportsExitStatusAndTheLastStderrLinesRedacted()
    {
        using var temp = new TempDir();
        var invocation = Invocation();
        var token = invocation.SecretVariables["hcloud_token"];
        var tofu = Samples.Script(temp, "tofu", $$"""
            if [ "$1" = apply ]; then
              for i in $(seq 1 30); do echo "detail $i" >&2; done
              echo "Error: creating server: token {{token}} is invalid (unauthorized)" >&2
              exit 1
            fi
            """);
        var log = new RunLog();

        var e = await Assert.ThrowsAsync<TofuException>(() => Runner(temp, tofu).ApplyAsync(invocation, log.OnPhase, log.OnLine, CancellationToken.None));

        Assert.Equal("tofu apply: exit status 1", e.Message);
        Assert.Equal("apply", e.Command);
        Assert.False(e.Transient);
        var detail = e.Detail!.Split('\n');
        Assert.Equal(TofuProcess.StderrTailLines, detail.Length);
        Assert.Equal("Error: creating server: token <redacted> is invalid (unauthorized)", detail[^1]);
        Assert.Equal("detail 12", detail[0]);
        Assert.DoesNotContain(token, log.AllText);
        Assert.Contains("token <redacted> is invalid", log.AllText);
        Assert.DoesNotContain(log.Phases, p => p.Name == "tofu-output");
    }

    [Fact]
    public async Task AHeldStateLockIsTransient()
    {
        using var temp = new TempDir();
        var tofu = Samples.Script(temp, "tofu", """
            [ "$1" = plan ] && { printf 'Error: Error acquiring the state lock\n\nLock Info:\n  ID: x\n' >&2; exit 1; }
            exit 0
            """);

        var e = await Assert.ThrowsAsync<TofuException>(() => Runner(temp, tofu).ApplyAsync(Invocation(), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal("tofu plan: exit status 1", e.Message);
        Assert.True(e.Transient);
        Assert.Contains("Error acquiring the state lock", e.Detail);
    }

    [Theory]
    [InlineData("echo 'not json {'", "read tofu outputs: not valid JSON")]
    [InlineData("exit 3", "read tofu outputs: exit status 3")]
    public async Task UnreadableOutputsFailAsTheOriginalSaid(string outputScript, string message)
    {
        using var temp = new TempDir();
        var tofu = Samples.Script(temp, "tofu", $"[ \"$1\" = output ] && {{ {outputScript}; }}\nexit 0\n");

        var e = await Assert.ThrowsAsync<TofuException>(() => Runner(temp, tofu).ApplyAsync(Invocation(), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None));

        Assert.StartsWith(message, e.Message);
        Assert.DoesNotContain("not json", e.Message);
    }

    [Fact]
    public async Task DestroyInitsThenDestroys()
    {
        using var temp = new TempDir();
        var calls = temp.File("calls.log");
        var tofu = Samples.Script(temp, "tofu", $"echo \"$*\" >> '{calls}'\n");
        var log = new RunLog();

        await Runner(temp, tofu).DestroyAsync(Invocation(), log.OnPhase, log.OnLine, CancellationToken.None);

        Assert.Equal(["init -input=false -no-color", "destroy -input=false -no-color -auto-approve"], File.ReadAllLines(calls));
        Assert.Equal(["tofu-init", "tofu-destroy"], log.Phases.Select(p => p.Name));
    }

    [Fact]
    public async Task PreparationFailuresNameTheirStep()
    {
        using var temp = new TempDir();
        var tofu = Samples.Script(temp, "tofu", "exit 0\n");
        var runner = Runner(temp, tofu);

        var missingModule = new TofuRunner(runner.Settings with { ModulePath = temp.File("nowhere") });
        var e = await Assert.ThrowsAsync<TofuException>(() => missingModule.ApplyAsync(Invocation(), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None));
        Assert.StartsWith("stage tofu module: ", e.Message);

        var leaky = Invocation();
        leaky = leaky with { Variables = new Dictionary<string, object?>(leaky.Variables) { ["hcloud_token"] = "oops" } };
        e = await Assert.ThrowsAsync<TofuException>(() => runner.ApplyAsync(leaky, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None));
        Assert.StartsWith("write tfvars: variable hcloud_token is secret", e.Message);

        var noBinary = new TofuRunner(runner.Settings with { Binary = temp.File("no-such-tofu") });
        e = await Assert.ThrowsAsync<TofuException>(() => noBinary.ApplyAsync(Invocation(), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None));
        Assert.StartsWith("tofu init: cannot start", e.Message);
    }

    [Fact]
    public async Task CancellationSendsSigintSoTofuCanSaveStateAndUnlock()
    {
        using var temp = new TempDir();
        var marks = temp.File("marks");
        var tofu = Samples.Script(temp, "tofu", $$"""
            [ "$1" = apply ] || exit 0
            trap 'echo interrupted >> "{{marks}}"; kill $child; exit 130' INT
            sleep 60 & child=$!
            echo started >> '{{marks}}'
            wait $child
            """);
        using var cancel = new CancellationTokenSource();
        var run = Runner(temp, tofu).ApplyAsync(Invocation(), _ => Task.CompletedTask, _ => Task.CompletedTask, cancel.Token);
        await Wait.UntilAsync(() => File.Exists(marks) && File.ReadAllText(marks).Contains("started"), TimeSpan.FromSeconds(30), "the apply to start");

        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.Contains("interrupted", File.ReadAllLines(marks));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task ATofuThatIgnoresSigintIsKilledAfterTheGracePeriod()
    {
        using var temp = new TempDir();
        var marks = temp.File("marks");
        var tofu = Samples.Script(temp, "tofu", $$"""
            [ "$1" = init ] || exit 0
            trap '' INT
            echo $$ > '{{marks}}'
            sleep 60
            """);
        var runner = new TofuRunner(Runner(temp, tofu).Settings) { InterruptGrace = TimeSpan.FromSeconds(1) };
        using var cancel = new CancellationTokenSource();
        var run = runner.ApplyAsync(Invocation(), _ => Task.CompletedTask, _ => Task.CompletedTask, cancel.Token);
        await Wait.UntilAsync(() => File.Exists(marks) && File.ReadAllText(marks).Trim().Length > 0, TimeSpan.FromSeconds(30), "init to start");
        var pid = int.Parse(File.ReadAllText(marks).Trim());

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run).WaitAsync(TimeSpan.FromSeconds(15));

        Assert.False(Directory.Exists($"/proc/{pid}"), "the tofu process survived");
    }

    [Fact]
    public async Task TheRunTimeoutIsTransientAndInterruptsTofu()
    {
        using var temp = new TempDir();
        var tofu = Samples.Script(temp, "tofu", """
            [ "$1" = plan ] || exit 0
            trap 'kill $child; exit 130' INT
            sleep 60 & child=$!
            wait $child
            """);

        var e = await Assert.ThrowsAsync<TofuException>(() => Runner(temp, tofu, timeout: TimeSpan.FromSeconds(2))
            .ApplyAsync(Invocation(), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal("tofu plan: timed out after 00:00:02", e.Message);
        Assert.True(e.Transient);
    }

    [Fact]
    public async Task TheStateLockIsRenewedWhileTofuRuns()
    {
        using var temp = new TempDir();
        var go = temp.File("go");
        var tofu = Samples.Script(temp, "tofu", $$"""
            [ "$1" = apply ] && while [ ! -f '{{go}}' ]; do sleep 0.05; done
            [ "$1" = output ] && echo '{}'
            exit 0
            """);
        var renewals = new CountingLock();
        var runner = new TofuRunner(Runner(temp, tofu).Settings, renewals) { LockRenewInterval = TimeSpan.FromMilliseconds(50) };
        var invocation = Invocation();

        var run = runner.ApplyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);
        await Wait.UntilAsync(() => renewals.Calls.Count >= 3, TimeSpan.FromSeconds(30), "three renewals during apply");
        File.WriteAllText(go, "");
        await run;

        Assert.All(renewals.Calls, id => Assert.Equal(invocation.DeploymentId, id));
    }

    [Fact]
    public void SettingsHaveTheOriginalsDefaults()
    {
        var settings = TofuSettings.From(_ => null);
        // No backend URL unless one is set: tofu calls back to wherever this process bound (SelfAddress).
        Assert.Equal(new TofuSettings("/infra/hetzner", "/var/lib/catalyst/tofu", "tofu", TimeSpan.FromMinutes(30), null), settings);

        var custom = TofuSettings.From(k => k switch
        {
            "CATALYST_TOFU_TIMEOUT" => "45m", "PORT" => "9090", "CATALYST_TOFU_BACKEND_URL" => "http://10.0.0.5:8080/", _ => null,
        });
        Assert.Equal((TimeSpan.FromMinutes(45), "http://10.0.0.5:8080"), (custom.Timeout, custom.BackendUrl));
        Assert.Throws<SettingException>(() => TofuSettings.From(k => k == "CATALYST_TOFU_BACKEND_URL" ? "ftp://x" : null));
        Assert.Equal(2, TofuSettings.From(k => k == "CATALYST_TOFU_MAX_PARALLEL" ? "2" : null).MaxParallel);
        Assert.Throws<SettingException>(() => TofuSettings.From(k => k == "CATALYST_TOFU_MAX_PARALLEL" ? "0" : null));
    }

    [Fact]
    public async Task NoMoreTofuRunsAtOnceThanTheSettingAllows()
    {
        using var temp = new TempDir();
        var running = temp.File("running");
        var peak = temp.File("peak");
        // Each command counts itself in, holds for a moment, and records the highest count it saw.
        var tofu = Samples.Script(temp, "tofu", $$"""
            if [ "$1" = output ]; then printf '{ "control_plane_ip": { "value": "203.0.113.9" }, "load_balancer_ip": { "value": "198.51.100.7" } }\n'; exit 0; fi
            ( flock 9; n=$(( $(cat '{{running}}' 2>/dev/null || echo 0) + 1 )); echo $n > '{{running}}'; echo $n >> '{{peak}}' ) 9>'{{running}}.lock'
            sleep 0.3
            ( flock 9; echo $(( $(cat '{{running}}') - 1 )) > '{{running}}' ) 9>'{{running}}.lock'
            """);
        var runner = new TofuRunner(new TofuSettings(Samples.Module(temp), temp.File("work"), tofu, TimeSpan.FromMinutes(2), "http://127.0.0.1:9", MaxParallel: 2));

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            runner.ApplyAsync(Invocation(), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None)));

        // A whole run (init … output) holds its slot, so at most two commands ever overlap, and with five runs some do.
        Assert.Equal(2, File.ReadAllLines(peak).Select(int.Parse).Max());
    }

    [Fact]
    public async Task WithEverySlotTakenTheRunnerAnswersNoSlotAtOnceAndStartsNoTofu()
    {
        using var temp = new TempDir();
        var calls = temp.File("calls.log");
        var tofu = Samples.Script(temp, "tofu", $$"""
            echo "$*" >> '{{calls}}'
            if [ "$1" = output ]; then printf '{ "control_plane_ip": { "value": "203.0.113.9" }, "load_balancer_ip": { "value": "198.51.100.7" } }\n'; fi
            exit 0
            """);
        var runner = new TofuRunner(new TofuSettings(Samples.Module(temp), temp.File("work"), tofu, TimeSpan.FromMinutes(2), "http://127.0.0.1:9", MaxParallel: 2));

        var first = runner.TryTakeSlot();
        using var second = runner.TryTakeSlot();
        Assert.NotNull(first);
        Assert.NotNull(second);

        // Issue 16: the third asker gets "no slot" at once — no waiting, and nothing started.
        var clock = Stopwatch.StartNew();
        Assert.Null(runner.TryTakeSlot());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"TryTakeSlot took {clock.Elapsed}");
        Assert.False(File.Exists(calls), "tofu ran without a slot");
        Assert.Equal(0, runner.FreeSlots);

        // A run in a slot already taken neither waits for nor frees another: the holder frees it, once however often it disposes.
        var outputs = await runner.ApplyAsync(first!, Invocation(), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(new TofuOutputs("203.0.113.9", "198.51.100.7"), outputs);
        Assert.Equal(4, File.ReadAllLines(calls).Length);
        Assert.Null(runner.TryTakeSlot());
        first!.Dispose();
        first.Dispose();
        Assert.Equal(1, runner.FreeSlots);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => runner.ApplyAsync(first, Invocation(), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None));
        using var third = runner.TryTakeSlot();
        Assert.NotNull(third);
        Assert.Null(runner.TryTakeSlot());

        // Another runner's slot is refused: it would run beyond this runner's limit.
        var other = new TofuRunner(runner.Settings);
        using var foreign = other.TryTakeSlot();
        await Assert.ThrowsAsync<ArgumentException>(() => runner.DestroyAsync(foreign!, Invocation(), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None));
        Assert.Equal(4, File.ReadAllLines(calls).Length);
    }

    [Theory]
    [InlineData(TofuLockCheck.TakenOver, "no longer current", true)]
    [InlineData(TofuLockCheck.StopRequested, "a wipe asked", false)]
    public async Task ARunThatIsNoLongerCurrentStopsItsTofu(TofuLockCheck found, string reason, bool transient)
    {
        using var temp = new TempDir();
        var marks = temp.File("marks");
        var tofu = Samples.Script(temp, "tofu", $$"""
            [ "$1" = apply ] || { [ "$1" = output ] && echo '{}'; exit 0; }
            echo $$ > '{{marks}}'
            trap 'echo interrupted >> '"'{{marks}}'"'; exit 130' INT
            sleep 60 & wait $!
            """);
        var stateLock = new CountingLock { Answer = TofuLockCheck.Renewed };
        var runner = new TofuRunner(Runner(temp, tofu).Settings, stateLock) { LockRenewInterval = TimeSpan.FromMilliseconds(50), InterruptGrace = TimeSpan.FromSeconds(5) };
        var run = runner.ApplyAsync(Invocation(), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);
        await Wait.UntilAsync(() => File.Exists(marks) && File.ReadAllText(marks).Trim().Length > 0, TimeSpan.FromSeconds(30), "apply to start");
        var pid = int.Parse(File.ReadAllLines(marks)[0]);

        stateLock.Answer = found;
        var e = await Assert.ThrowsAsync<TofuException>(() => run).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Contains(reason, e.Message);
        Assert.Equal(transient, e.Transient);
        Assert.Contains("interrupted", File.ReadAllLines(marks));
        Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z "), "the tofu process survived");
    }

    [Fact]
    public async Task ALockItsTofuLeftBehindIsReleasedWhenTheRunEnds()
    {
        using var temp = new TempDir();
        var tofu = Samples.Script(temp, "tofu", """
            [ "$1" = plan ] && { echo "Error: provider crashed" >&2; exit 1; }
            exit 0
            """);
        var stateLock = new CountingLock();
        var invocation = Invocation();

        await Assert.ThrowsAsync<TofuException>(() => Runner(temp, tofu, stateLock: stateLock)
            .ApplyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None));

        var (deployment, execution) = Assert.Single(stateLock.Released);
        Assert.Equal(invocation.DeploymentId, deployment);
        Assert.Matches("^[0-9a-f]{16}$", execution);
    }

    [Fact]
    public async Task EachRunTagsItsBackendAddressesWithItsOwnExecution()
    {
        using var temp = new TempDir();
        var seen = temp.File("seen");
        var tofu = Samples.Script(temp, "tofu", $$"""
            echo "$1 $TF_HTTP_ADDRESS $TF_HTTP_LOCK_ADDRESS" >> '{{seen}}'
            [ "$1" = output ] && echo '{}'
            exit 0
            """);
        var runner = Runner(temp, tofu);
        var invocation = Invocation() with { Run = 3 };

        await runner.ApplyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);
        await runner.ApplyAsync(invocation, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);

        var executions = File.ReadAllLines(seen).Select(l => System.Text.RegularExpressions.Regex.Match(l, "^(\\w+) (\\S+)\\?op=apply&run=3&exec=(\\w+) \\2/lock\\?op=apply&run=3&exec=\\3$")).ToList();
        Assert.Equal(8, executions.Count); // init, plan, apply, output, twice
        Assert.All(executions, m => Assert.True(m.Success));
        // One execution for the four commands of a run, a new one for the next run.
        Assert.Equal(2, executions.Select(m => m.Groups[3].Value).Distinct().Count());
    }

    [Fact]
    public async Task TofuCanBeInterruptedEvenWhenTheHostWasStartedWithSigintIgnored()
    {
        // A background job of a non-interactive shell starts with SIGINT ignored, and the ignore is inherited through
        // fork and exec: tofu would never get the SIGINT that lets it save state. The launcher restores the default.
        using var temp = new TempDir();
        var masks = temp.File("masks");
        var tofu = Samples.Script(temp, "tofu", $$"""
            grep '^SigIgn:' /proc/self/status | awk '{print $2}' >> '{{masks}}'
            [ "$1" = output ] && echo '{}'
            exit 0
            """);
        var ignore = new byte[256];
        BitConverter.GetBytes((long)1).CopyTo(ignore, 0); // sa_handler = SIG_IGN
        var previous = new byte[256];
        Assert.Equal(0, sigaction(2, ignore, previous));
        try
        {
            await Runner(temp, tofu).ApplyAsync(Invocation(), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);
        }
        finally
        {
            Assert.Equal(0, sigaction(2, previous, null));
        }

        var lines = File.ReadAllLines(masks);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, mask => Assert.Equal(0UL, Convert.ToUInt64(mask, 16) & 2UL)); // bit 1 = SIGINT
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    static extern int sigaction(int signal, byte[]? action, byte[]? previous);

    sealed class CountingLock : ITofuStateLock
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Calls { get; } = new();
        public System.Collections.Concurrent.ConcurrentQueue<(string, string)> Released { get; } = new();
        public volatile TofuLockCheck Answer = TofuLockCheck.Renewed;

        public Task<TofuLockCheck> RenewLockAsync(string deploymentId, string execution, CancellationToken cancellationToken)
        {
            Calls.Enqueue(deploymentId);
            return Task.FromResult(Answer);
        }

        public Task ReleaseIfHeldByAsync(string deploymentId, string execution, CancellationToken cancellationToken)
        {
            Released.Enqueue((deploymentId, execution));
            return Task.CompletedTask;
        }
    }
}
