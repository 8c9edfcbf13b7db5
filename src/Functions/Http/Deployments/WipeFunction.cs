using Catalyst.Domain.ClusterCache;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Functions.Activities;
using Catalyst.Functions.Orchestrations;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Functions.Http.Deployments;

/// <summary>
/// POST /api/v1/deployments/{id}/wipe: stops the provisioning workflow, runs Decommission and, when it finishes
/// within <c>CATALYST_WIPE_WAIT</c> (default 20s), answers 200 with its report; otherwise 202 and the report lands on
/// the deployment. Wiping a wiped deployment answers its report again and changes nothing.
/// </summary>
public sealed class WipeFunction(DeploymentStore store, EventLog events, WipeSettings settings, TimeProvider time,
    SovereignCache clusters, AuditTrail audit)
{
    [Function(nameof(WipeDeployment))]
    public async Task<IResult> WipeDeployment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/deployments/{id}/wipe")] HttpRequest request,
        [DurableClient] DurableTaskClient client, string id)
    {
        var ct = request.HttpContext.RequestAborted;
        if (await store.GetAsync(id, ct) is not { } record) return HttpErrors.DeploymentNotFound(id);
        if (record.Status == DeploymentStatuses.Wiped)
            return Results.Json(new { id, status = record.Status, report = record.Wipe });
        var wipeInstance = $"{id}-wipe";
        if (record.Status == DeploymentStatuses.Wiping)
            return Results.Json(new { id, status = record.Status, statusURL = $"/api/v1/deployments/{id}" },
                statusCode: StatusCodes.Status202Accepted);

        var started = await store.UpdateAsync(id, WipeRules.Start, ct);
        if (started is null || started.Run == record.Run)
            return Results.Json(new { id, status = started?.Status ?? record.Status,
                statusURL = $"/api/v1/deployments/{id}" }, statusCode: StatusCodes.Status202Accepted);

        await audit.RecordAsync(request.HttpContext, id, AuditEvents.Wipe, ct);
        // The provisioning workflow (and its watch) must not keep writing while the cloud side is torn down.
        if (await client.GetInstanceAsync(id, ct) is { IsRunning: true })
            await client.TerminateInstanceAsync(id, "wiped", ct);
        // other replicas drop it on their next rescan (status wiping)
        await clusters.UnregisterAsync(id, deleteSnapshots: true, ct);
        await events.AppendAsync(id,
            [DeploymentEvent.Info(EventKeys.Step(id, started.Run, Steps.WipeRequested), Phases.Wipe,
                "Wipe requested: decommissioning the Sovereign", time.GetUtcNow())], ct);
        await client.ScheduleNewOrchestrationInstanceAsync(TaskNames.Decommission,
            new WipeInput(id, started.Run, PoolName.Of(started)), new StartOrchestrationOptions(wipeInstance), ct);

        var wait = settings.Wait;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(wait);
        try
        {
            var done = await client.WaitForInstanceCompletionAsync(wipeInstance, getInputsAndOutputs: true,
                timeout.Token);
            var report = done.ReadOutputAs<WipeReport>();
            var after = await store.GetAsync(id, ct);
            return Results.Json(new { id, status = after?.Status, report });
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Results.Json(new { id, status = DeploymentStatuses.Wiping, statusURL = $"/api/v1/deployments/{id}" },
                statusCode: StatusCodes.Status202Accepted);
        }
    }
}
