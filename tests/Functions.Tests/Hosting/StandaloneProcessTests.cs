using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Catalyst.Testing;
using Xunit.Abstractions;

namespace Catalyst.Functions.Tests.Hosting;

/// <summary>
/// The standalone host as a real process on Azurite: it serves, it refuses bad storage settings fast, and
/// the Durable engine carries orchestrations across SIGKILL and SIGTERM.
/// </summary>
public class StandaloneProcessTests(ITestOutputHelper output)
{
    static string App => RepoPaths.BuildOutput("src/Functions", "Catalyst.Functions.dll");
    static string TestHost => RepoPaths.BuildOutput("tests/TestHost", "Catalyst.TestHost.dll");

    [Fact]
    public async Task ServesHealthAndReadiness()
    {
        // An Azurite of its own: on the shared one, other tests' ready Sovereigns (their fake clusters already gone)
        // are in the cluster cache, whose primary then never syncs and /readyz rightly answers 503.
        await using var azurite = await AzuriteServer.StartAsync();
        await using var app = AppProcess.Start(App, AppProcess.TestSettings(azurite, AppProcess.UniqueHubName("health")));
        await app.WaitHealthyAsync();

        using var health = await app.Http.GetAsync("/healthz");
        Assert.Equal("ok", await health.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", health.Content.Headers.ContentType?.MediaType);
        using var ready = await app.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        // Test apps run with sign-in off, said explicitly; every probe and the start say what that exposes.
        Assert.Contains("CATALYST_AUTH_MODE=off", ready.Headers.GetValues("Warning").Single());
        Assert.Contains("CATALYST_AUTH_MODE=off: no sign-in", app.Output);
    }

    [Theory]
    [InlineData("CATALYST_PHASE1_WATCH_CHECK_IN", "ten seconds")]
    [InlineData("CATALYST_TOFU_TIMEOUT", "-5m")]
    // Read while registering before issue 20: it ended in a stack trace instead of one line.
    [InlineData("CATALYST_DYNADOT_BASE_URL", "ftp://dynadot.example")]
    public async Task AMalformedTimingSettingStopsTheStartNamingIt(string setting, string value)
    {
        var settings = AppProcess.TestSettings(await AzuriteServer.Shared, "malformed2");
        settings[setting] = value;
        await using var app = AppProcess.Start(App, settings);

        Assert.True(await app.WaitForExitAsync(TimeSpan.FromSeconds(30)), $"the app served with {setting}={value}");
        Assert.NotEqual(0, app.ExitCode);
        Assert.Contains(setting, app.Output);
        Assert.DoesNotContain("Catalyst standalone host listening", app.Output);
    }

    /// <summary>Issue 19: a Durable host.json key standalone does not implement would let the modes drift; it stops the start.</summary>
    [Theory]
    [InlineData("AzureFunctionsJobHost__extensions__durableTask__extendedSessionsEnabled", "true", "AzureFunctionsJobHost:extensions:durableTask:extendedSessionsEnabled")]
    [InlineData("AzureFunctionsJobHost__extensions__durableTask__storageProvider__type", "mssql", "AzureFunctionsJobHost:extensions:durableTask:storageProvider:type")]
    public async Task ADurableKeyStandaloneDoesNotHonourStopsTheStartNamingIt(string setting, string value, string named)
    {
        var settings = AppProcess.TestSettings(await AzuriteServer.Shared, "unhonoured");
        settings[setting] = value;
        await using var app = AppProcess.Start(App, settings);

        Assert.True(await app.WaitForExitAsync(TimeSpan.FromSeconds(30)), $"the app served with {setting}={value}");
        Assert.Equal(2, app.ExitCode);
        Assert.Contains(named, app.Output);
        Assert.DoesNotContain("Catalyst standalone host listening", app.Output);
    }

    /// <summary>Issue 14: sign-in is the default, and a production start with nothing to sign in with refuses to serve.</summary>
    [Fact]
    public async Task AProductionStartWithNoIdentitySourceAndAuthNotOffExitsNamingTheSettings()
    {
        var settings = AppProcess.TestSettings(await AzuriteServer.Shared, "noauth1");
        settings.Remove("CATALYST_AUTH_MODE");
        settings["DOTNET_ENVIRONMENT"] = "Production";
        await using var app = AppProcess.Start(App, settings);

        Assert.True(await app.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the app served with no way to tell who is calling");
        Assert.NotEqual(0, app.ExitCode);
        foreach (var setting in new[] { "CATALYST_AUTH_MODE", "CATALYST_KC_ADDR", "CATALYST_SESSION_COOKIE_SECRET", "CATALYST_HANDOVER_KEY_PATH", "CATALYST_TRUSTED_IDENTITY_HEADER" })
            Assert.Contains(setting, app.Output);
        Assert.DoesNotContain("Catalyst standalone host listening", app.Output);
    }

    [Theory]
    [InlineData("this is not a connection string")]
    [InlineData("DefaultEndpointsProtocol=http;AccountName=x")]
    public async Task MalformedStorageSettingFailsFastNamingIt(string connectionString)
    {
        var settings = AppProcess.TestSettings(await AzuriteServer.Shared, "malformed1");
        settings["AzureWebJobsStorage"] = connectionString;
        await using var app = AppProcess.Start(App, settings);

        Assert.True(await app.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the app kept running with a malformed AzureWebJobsStorage");
        Assert.NotEqual(0, app.ExitCode);
        Assert.Contains("AzureWebJobsStorage", app.Output);
        Assert.DoesNotContain(connectionString, app.Output);
    }

    [Fact]
    public async Task StorageThatDoesNotAnswerFailsFastNamingIt()
    {
        var settings = AppProcess.TestSettings(await AzuriteServer.Shared, "silent1");
        var nobody = FreePort.Next();
        settings["AzureWebJobsStorage"] = settings["AzureWebJobsStorage"]!
            .Replace($":{(await AzuriteServer.Shared).BlobPort}/", $":{nobody}/");
        settings["CATALYST_STORAGE_PROBE_SECONDS"] = "5"; // the production default; other tests allow a busy Azurite more
        var clock = Stopwatch.StartNew();
        await using var app = AppProcess.Start(App, settings);

        Assert.True(await app.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the app hung on storage that does not answer");
        output.WriteLine($"exited {app.ExitCode} after {clock.Elapsed.TotalSeconds:0.0}s");
        Assert.NotEqual(0, app.ExitCode);
        Assert.Contains("AzureWebJobsStorage", app.Output);
        Assert.Contains("blob", app.Output);
    }

    [Fact]
    public async Task OrchestrationSurvivesSigkillWhileWaitingForAnEvent()
    {
        var azurite = await AzuriteServer.Shared;
        var (settings, journal) = ProbeSettings(azurite, "kill");
        await using (var first = AppProcess.Start(TestHost, settings))
        {
            await first.WaitHealthyAsync();
            (await first.Http.PostAsync("/probe/p1", null)).EnsureSuccessStatusCode();
            await WaitForProbeAsync(first, "p1", s => s.CustomStatus == "waiting-for-go");
            first.Kill();
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        await using var second = AppProcess.Start(TestHost, settings);
        await second.WaitHealthyAsync();
        (await second.Http.PostAsync("/probe/p1/go", null)).EnsureSuccessStatusCode();
        var done = await WaitForProbeAsync(second, "p1", s => s.Status == "Completed", TimeSpan.FromSeconds(90));

        Assert.Equal("done:go", done.Output);
        var lines = File.ReadAllLines(journal);
        Assert.Equal(1, lines.Count(l => l == "p1:before:started"));
        Assert.Equal(1, lines.Count(l => l == "p1:after:finished"));
    }

    [Fact]
    public async Task SigtermLetsTheRunningActivityFinishExitsWithinSecondsAndTheNextHostCompletes()
    {
        var azurite = await AzuriteServer.Shared;
        var (settings, journal) = ProbeSettings(azurite, "term");
        settings["CATALYST_SHUTDOWN_DRAIN_TIMEOUT"] = "15s";
        await using (var first = AppProcess.Start(TestHost, settings))
        {
            await first.WaitHealthyAsync();
            (await first.Http.PostAsync("/probe/p2?afterDelayMs=3000", null)).EnsureSuccessStatusCode();
            await WaitForProbeAsync(first, "p2", s => s.CustomStatus == "waiting-for-go");
            (await first.Http.PostAsync("/probe/p2/go", null)).EnsureSuccessStatusCode();
            await Wait.UntilAsync(() => File.Exists(journal) && File.ReadAllLines(journal).Contains("p2:after:started"), TimeSpan.FromSeconds(30), "the slow activity to start");

            var clock = Stopwatch.StartNew();
            first.Terminate();
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(25)), "SIGTERM did not end the process");
            output.WriteLine($"SIGTERM to exit: {clock.Elapsed.TotalSeconds:0.0}s, exit code {first.ExitCode}");
            Assert.Equal(0, first.ExitCode);
            Assert.Contains("p2:after:finished", File.ReadAllLines(journal));
        }

        await using var second = AppProcess.Start(TestHost, settings);
        await second.WaitHealthyAsync();
        var done = await WaitForProbeAsync(second, "p2", s => s.Status == "Completed", TimeSpan.FromSeconds(90));
        Assert.Equal("done:go", done.Output);
        Assert.Equal(1, File.ReadAllLines(journal).Count(l => l == "p2:after:started"));
    }

    [Fact]
    public async Task AnActivityThatOutlivesTheWorkItemVisibilityTimeoutRunsOnce()
    {
        // A real tofu apply runs for minutes, far past the queue message's visibility timeout (5 s in tests): the
        // host must keep the message hidden while the activity runs, or the engine hands the same work out again.
        var azurite = await AzuriteServer.Shared;
        var (settings, journal) = ProbeSettings(azurite, "long");
        await using var app = AppProcess.Start(TestHost, settings);
        await app.WaitHealthyAsync();
        (await app.Http.PostAsync("/probe/p3?afterDelayMs=14000", null)).EnsureSuccessStatusCode();
        await WaitForProbeAsync(app, "p3", s => s.CustomStatus == "waiting-for-go");
        (await app.Http.PostAsync("/probe/p3/go", null)).EnsureSuccessStatusCode();
        var done = await WaitForProbeAsync(app, "p3", s => s.Status == "Completed", TimeSpan.FromSeconds(90));

        Assert.Equal("done:go", done.Output);
        Assert.Equal(1, File.ReadAllLines(journal).Count(l => l == "p3:after:started"));
    }

    public static TheoryData<string> Moments() => new() { "first-output", "listening", "idle" };

    [Theory]
    [MemberData(nameof(Moments))]
    public async Task SigtermAtAnyMomentAfterStartEndsTheProcessWithExitZero(string moment)
    {
        // A pod stopped during a rollout may be anywhere in its start: before the Durable engine runs, just as it
        // listens, or idle. It used to abort with exit 134 when the sidecar stopped an engine that never started.
        var azurite = await AzuriteServer.Shared;
        var (settings, _) = ProbeSettings(azurite, "sigterm");
        await using var app = AppProcess.Start(TestHost, settings);
        switch (moment)
        {
            case "first-output":
                await Wait.UntilAsync(() => app.Output.Length > 0 || app.HasExited, TimeSpan.FromSeconds(60), "the first line the host prints");
                break;
            case "listening":
                await Wait.UntilAsync(() => app.Output.Contains("listening on", StringComparison.Ordinal) || app.HasExited, TimeSpan.FromSeconds(60), "the host to listen");
                break;
            default:
                await app.WaitHealthyAsync();
                break;
        }
        Assert.False(app.HasExited, $"the host exited before SIGTERM:\n{app.Output}");
        var clock = Stopwatch.StartNew();
        app.Terminate();

        Assert.True(await app.WaitForExitAsync(TimeSpan.FromSeconds(40)), "SIGTERM did not end the process within the shutdown budget");
        output.WriteLine($"{moment}: exit {app.ExitCode} after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(app.ExitCode == 0, $"exit code {app.ExitCode}:\n{app.Output}");
    }

    [Fact]
    public async Task TwoHostsOnOneTaskHubRunAnActivityOfThreeVisibilityTimeoutsExactlyOnce()
    {
        // Two replicas poll the same work-item queue. Without lock renewal the second one picks the message up
        // again once its 5 s visibility lapses and runs the activity a second time while the first still runs.
        var azurite = await AzuriteServer.Shared;
        var (settings, journal) = ProbeSettings(azurite, "pair");
        await using var first = AppProcess.Start(TestHost, settings);
        await using var second = AppProcess.Start(TestHost, settings);
        await Task.WhenAll(first.WaitHealthyAsync(), second.WaitHealthyAsync());
        (await first.Http.PostAsync("/probe/p5?afterDelayMs=15000", null)).EnsureSuccessStatusCode();
        await WaitForProbeAsync(first, "p5", s => s.CustomStatus == "waiting-for-go");
        (await second.Http.PostAsync("/probe/p5/go", null)).EnsureSuccessStatusCode();
        var done = await WaitForProbeAsync(first, "p5", s => s.Status == "Completed", TimeSpan.FromSeconds(90));

        Assert.Equal("done:go", done.Output);
        var lines = File.ReadAllLines(journal);
        output.WriteLine(string.Join('\n', lines));
        Assert.Equal(1, lines.Count(l => l == "p5:after:started"));
        Assert.Equal(1, lines.Count(l => l == "p5:after:finished"));
    }

    static (Dictionary<string, string?> Settings, string Journal) ProbeSettings(AzuriteServer azurite, string prefix)
    {
        var journal = Path.Combine(Path.GetTempPath(), $"catalyst-probe-{Guid.NewGuid():N}.log");
        var settings = AppProcess.TestSettings(azurite, AppProcess.UniqueHubName(prefix));
        settings["PROBE_JOURNAL"] = journal;
        return (settings, journal);
    }

    sealed record ProbeState(string Status, string? CustomStatus, string? Output);

    static Task<ProbeState> WaitForProbeAsync(AppProcess app, string id, Func<ProbeState, bool> condition, TimeSpan? timeout = null) =>
        Wait.ForAsync(async () =>
        {
            using var response = await app.Http.GetAsync($"/probe/{id}");
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            var state = JsonSerializer.Deserialize<ProbeState>(await response.Content.ReadAsStringAsync(), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            return condition(state) ? state : null;
        }, timeout ?? TimeSpan.FromSeconds(60), $"probe {id} to reach the expected state", TimeSpan.FromMilliseconds(200));
}
