using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Catalyst.TestHost;

public static class BaselineNames
{
    public const string Baseline = "Baseline";
    public const string Step = "BaselineStep";
}

/// <summary>
/// The benchmarks' yardstick (bench/Catalyst.Bench, provisions): as many no-op activity steps as a provision makes,
/// in sequence, on the same engine and settings. A provision's time minus this one's is what Catalyst itself costs
/// (storage writes, tofu, events) over the bare Durable machinery.
/// </summary>
public sealed class BaselineOrchestrator : TaskOrchestrator<int, int>
{
    [Function(BaselineNames.Baseline)]
    public Task<int> Run([OrchestrationTrigger] TaskOrchestrationContext context) => RunAsync(context, context.GetInput<int>());

    public override async Task<int> RunAsync(TaskOrchestrationContext context, int steps)
    {
        var sum = 0;
        for (var i = 0; i < steps; i++) sum += await context.CallActivityAsync<int>(BaselineNames.Step, i);
        return sum;
    }
}

public sealed class BaselineStepActivity : TaskActivity<int, int>
{
    [Function(BaselineNames.Step)]
    public Task<int> Run([ActivityTrigger] int step) => RunAsync(null!, step);

    public override Task<int> RunAsync(TaskActivityContext context, int step) => Task.FromResult(step);
}

public sealed class BaselineHttp
{
    /// <summary>Starts a baseline with ?steps=N; its state is read like a probe's (GET probe/{id}).</summary>
    [Function(nameof(StartBaseline))]
    public async Task<IResult> StartBaseline([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "baseline/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client, string id)
    {
        var steps = int.TryParse(request.Query["steps"], out var n) ? n : 10;
        await client.ScheduleNewOrchestrationInstanceAsync(BaselineNames.Baseline, steps, new StartOrchestrationOptions(id));
        return Results.Accepted();
    }
}
