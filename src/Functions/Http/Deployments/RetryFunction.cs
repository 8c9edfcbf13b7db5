using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Functions.Orchestrations;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Functions.Http.Deployments;

/// <summary>POST /api/v1/deployments/{id}/phases/{phase}/retry (reference A.15).</summary>
public sealed class RetryFunction(DeploymentStore store, EventLog events, ProvisionSettings settings,
    WatchSettings watch, TimeProvider time, AuditTrail audit)
{
    [Function(nameof(RetryPhase))]
    public async Task<IResult> RetryPhase(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post",
            Route = "api/v1/deployments/{id}/phases/{phase}/retry")] HttpRequest request,
        [DurableClient] DurableTaskClient client, string id, string phase)
    {
        var ct = request.HttpContext.RequestAborted;
        if (await store.GetAsync(id, ct) is not { } record) return HttpErrors.DeploymentNotFound(id);
        switch (RetryRules.Classify(phase, record))
        {
            case RetryRules.Kind.Unknown:
                return HttpErrors.Json(StatusCodes.Status400BadRequest, RetryRules.UnknownPhaseError(phase));

            case RetryRules.Kind.Phase1:
                var component = RetryRules.Component(phase, record)!;
                await audit.RecordAsync(request.HttpContext, id, $"{AuditEvents.Retry} of {component}", ct,
                    once: $"{record.Run}:retry:{component}");
                await events.AppendAsync(id, [RetryRules.ManualRetryEvent(record, component, time.GetUtcNow())], ct);
                return Results.Json(new { id, phase, status = "manual-retry-required", runbook = RetryRules.Runbook,
                    message = "Phase 1 components are reconciled by Flux on the Sovereign; " +
                        "follow the runbook to request a reconcile." });
        }

        if (RetryRules.Phase0Blocker(record) is { } blocker)
            return HttpErrors.Json(StatusCodes.Status409Conflict, blocker);
        var restarted = await store.UpdateAsync(id,
            r => RetryRules.Phase0Blocker(r) is null ? RetryRules.Restart(r, phase) : null, ct);
        if (restarted is null || restarted.Run == record.Run)
            return HttpErrors.Json(StatusCodes.Status409Conflict, RetryRules.InFlightError);
        await audit.RecordAsync(request.HttpContext, id, $"{AuditEvents.Retry} of {phase} (run {restarted.Run})", ct);
        await events.AppendAsync(id,
            [DeploymentEvent.Info(EventKeys.Step(id, restarted.Run, Steps.Retry), Phases.Queued,
            $"Phase 0 retry accepted (run {restarted.Run}) — re-running tofu apply against the existing state.",
            time.GetUtcNow())], ct);
        await new DurableWorkflowStarter(client, settings, watch, restarted.Run).StartAsync(restarted, ct);
        return Results.Json(new
        {
            id, status = DeploymentStatuses.Provisioning, phase, streamURL = DeploymentView.StreamUrl(id),
            message = "Phase 0 retry accepted — re-running tofu apply against the existing workdir (idempotent). " +
                "Reopen the SSE stream to follow progress.",
        });
    }
}
