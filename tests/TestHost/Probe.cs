using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Catalyst.TestHost;

/// <summary>Function names differ from class names: the Durable analyzers treat a class-based task and a function of the same name as a duplicate.</summary>
public static class ProbeNames
{
    public const string Probe = "Probe";
    public const string Journal = "Journal";
}

public sealed record ProbeInput(string Key, int AfterDelayMs);

public sealed record JournalEntry(string Key, int DelayMs);

/// <summary>
/// Runs a journaled activity, waits for a "Go" event, runs a second (optionally slow) activity. The journal is
/// a file outside the process, so a test can count how often each activity really ran across kills.
/// </summary>
public sealed class ProbeOrchestrator : TaskOrchestrator<ProbeInput, string>
{
    [Function(ProbeNames.Probe)]
    public Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context) => RunAsync(context, context.GetInput<ProbeInput>()!);

    public override async Task<string> RunAsync(TaskOrchestrationContext context, ProbeInput input)
    {
        await context.CallActivityAsync<int>(ProbeNames.Journal, new JournalEntry($"{input.Key}:before", 0));
        context.SetCustomStatus("waiting-for-go");
        var go = await context.WaitForExternalEvent<string>("Go");
        context.SetCustomStatus("after");
        await context.CallActivityAsync<int>(ProbeNames.Journal, new JournalEntry($"{input.Key}:after", input.AfterDelayMs));
        return $"done:{go}";
    }
}

public sealed class JournalActivity : TaskActivity<JournalEntry, int>
{
    static readonly object FileLock = new();

    [Function(ProbeNames.Journal)]
    public Task<int> Run([ActivityTrigger] JournalEntry entry) => RunAsync(null!, entry);

    public override async Task<int> RunAsync(TaskActivityContext context, JournalEntry entry)
    {
        Append($"{entry.Key}:started");
        if (entry.DelayMs > 0) await Task.Delay(entry.DelayMs);
        Append($"{entry.Key}:finished");
        return 1;
    }

    static void Append(string line)
    {
        var path = Environment.GetEnvironmentVariable("PROBE_JOURNAL") ?? throw new InvalidOperationException("PROBE_JOURNAL is not set");
        lock (FileLock) File.AppendAllText(path, line + "\n");
    }
}

public sealed class ProbeHttp
{
    [Function(nameof(StartProbe))]
    public async Task<IResult> StartProbe([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "probe/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client, string id)
    {
        var delay = int.TryParse(request.Query["afterDelayMs"], out var ms) ? ms : 0;
        await client.ScheduleNewOrchestrationInstanceAsync(ProbeNames.Probe, new ProbeInput(id, delay), new StartOrchestrationOptions(id));
        return Results.Accepted();
    }

    /// <summary>Starts a probe the way the app starts its workflows (never over a pending or running instance).</summary>
    [Function(nameof(StartProbeUnlessActive))]
    public async Task<IResult> StartProbeUnlessActive([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "probe/{id}/unless-active")] HttpRequest request,
        [DurableClient] DurableTaskClient client, string id)
    {
        var key = request.Query["key"].ToString();
        var started = await Catalyst.Functions.Orchestrations.WorkflowInstances.StartUnlessActiveAsync(client, ProbeNames.Probe, new ProbeInput(key, 0), id, request.HttpContext.RequestAborted);
        return Results.Json(new { started });
    }

    [Function(nameof(RaiseGo))]
    public async Task<IResult> RaiseGo([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "probe/{id}/go")] HttpRequest request,
        [DurableClient] DurableTaskClient client, string id)
    {
        await client.RaiseEventAsync(id, "Go", "go");
        return Results.Accepted();
    }

    [Function(nameof(GetProbe))]
    public async Task<IResult> GetProbe([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "probe/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client, string id)
    {
        var state = await client.GetInstanceAsync(id, getInputsAndOutputs: true);
        return state is null
            ? Results.NotFound()
            : Results.Json(new { status = state.RuntimeStatus.ToString(), customStatus = state.Name == ProbeNames.Probe ? state.ReadCustomStatusAs<string>() : state.SerializedCustomStatus, output = state.Name == ProbeNames.Probe ? state.ReadOutputAs<string>() : state.SerializedOutput,
                // The benchmarks time orchestrations by the engine's own clock, not by how often they poll.
                createdAt = state.CreatedAt, lastUpdatedAt = state.LastUpdatedAt });
    }
}
