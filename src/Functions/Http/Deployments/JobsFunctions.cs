using Catalyst.Domain.Auth;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Functions.Activities;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Catalyst.Functions.Http.Deployments;

/// <summary>
/// The original's jobs surface (#205) and watch backfill (reference A.16), derived from the deployment's own record and
/// timeline (<see cref="JobsView"/>): no second store. Per-deployment routes are owner-checked by the request pipeline;
/// the executions route names no deployment in its path, so it checks the owner of the one its id names itself.
/// </summary>
public sealed class JobsFunctions(DeploymentStore store, EventLog events, Vault vault, HelmReleaseReader reader,
    AuthSettings auth, TimeProvider time, SandboxMode sandbox)
{
    [Function(nameof(ListJobs))]
    public async Task<IResult> ListJobs(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/deployments/{id}/jobs")] HttpRequest request,
            string id)
    {
        if (await TimelineAsync(id, request) is not { } found) return HttpErrors.DeploymentNotFound(id);
        return Results.Json(new { jobs = JobsView.Jobs(found.Record, found.Events) });
    }

    [Function(nameof(ListJobBatches))]
    public async Task<IResult> ListJobBatches(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get",
            Route = "api/v1/deployments/{id}/jobs/batches")] HttpRequest request, string id)
    {
        if (await TimelineAsync(id, request) is not { } found) return HttpErrors.DeploymentNotFound(id);
        return Results.Json(new { batches = JobsView.Batches(found.Record, found.Events) });
    }

    [Function(nameof(GetJob))]
    public async Task<IResult> GetJob(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get",
            Route = "api/v1/deployments/{id}/jobs/{jobId}")] HttpRequest request, string id, string jobId)
    {
        if (await TimelineAsync(id, request) is not { } found) return HttpErrors.DeploymentNotFound(id);
        return JobsView.Job(found.Record, found.Events, jobId) is { } job
            ? Results.Json(new { job = job.Job, executions = job.Executions })
            : HttpErrors.Json(StatusCodes.Status404NotFound, "job-not-found");
    }

    [Function(nameof(GetExecutionLogs))]
    public async Task<IResult> GetExecutionLogs(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get",
            Route = "api/v1/actions/executions/{execId}/logs")] HttpRequest request, string execId)
    {
        var notFound = HttpErrors.Json(StatusCodes.Status404NotFound, "execution-not-found");
        // Someone else's execution is answered exactly as one that does not exist.
        if (JobsView.DeploymentOf(execId) is not { } id || await TimelineAsync(id, request) is not { } found)
            return notFound;
        if (!DeploymentAccess.Allows(auth.Mode, CallerIdentity.Of(request.HttpContext), found.Record.Owner))
            return notFound;
        var page = JobsView.Logs(found.Record, found.Events, execId,
            int.TryParse(request.Query["fromLine"], out var from) ? from : 1,
            int.TryParse(request.Query["limit"], out var limit) ? limit : 0);
        return page is null ? notFound : Results.Json(page);
    }

    /// <summary>
    /// POST …/refresh-watch (reference A.16). A deployment still in its Phase-1 watch is being watched (200,
    /// <c>alreadyActive</c>). A finished one with a kubeconfig gets one fresh HelmRelease listing written onto its
    /// record (202, <c>seededAt</c>); the durable watch itself is not restarted (a retry does that).
    /// </summary>
    [Function(nameof(RefreshWatch))]
    public async Task<IResult> RefreshWatch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post",
            Route = "api/v1/deployments/{id}/refresh-watch")] HttpRequest request, string id)
    {
        var ct = request.HttpContext.RequestAborted;
        if (await store.GetAsync(id, ct) is not { } record) return HttpErrors.DeploymentNotFound(id);
        if (record.Result?.KubeconfigReceivedAt is null)
            return HttpErrors.Json(StatusCodes.Status409Conflict, "watch-not-resumable",
                "deployment has no kubeconfig — Phase 0 may not have completed yet, " +
                "or cloud-init never PUT the kubeconfig back");
        if (record.Status == DeploymentStatuses.Phase1Watching)
            return Results.Json(new { watching = true, alreadyActive = true,
                components = Components(record.Result.ComponentStates) });

        var listing = await reader.ListForAsync(await vault.GetAsync(id, VaultEntries.Kubeconfig, ct), record,
            sandbox.Enabled, ct);
        if (listing is HelmReleaseReader.Unusable unusable)
            return HttpErrors.Json(StatusCodes.Status409Conflict, "watch-not-resumable", unusable.Error);
        if (listing is not HelmReleaseReader.Listed listed)
            return Results.Json(new { error = "seed-timeout",
                detail = $"the Sovereign's HelmReleases could not be " +
                    $"listed: {((HelmReleaseReader.Unreachable)listing).Error}", watching = false },
                statusCode: StatusCodes.Status504GatewayTimeout);
        var (seen, _) = new WatchState { StartedAt = time.GetUtcNow().UtcDateTime,
            States = new(record.Result.ComponentStates ?? new Dictionary<string, string>()) }
            .Observe(listed.Releases);
        var updated = await store.UpdateAsync(id,
            r => r.Result is null ? null : r with { Result = r.Result with { ComponentStates = seen.States } }, ct);
        return Results.Json(new { watching = false, seededAt = time.GetUtcNow(),
            components = Components(updated?.Result?.ComponentStates ?? seen.States) },
            statusCode: StatusCodes.Status202Accepted);
    }

    static IEnumerable<object> Components(IReadOnlyDictionary<string, string>? states) =>
        (states ?? new Dictionary<string, string>()).OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => new { appId = s.Key, status = s.Value,
                helmReleaseName = ComponentStates.BlueprintPrefix + s.Key, @namespace = HelmReleaseReader.Namespace });

    async Task<(DeploymentRecord Record, IReadOnlyList<DeploymentEvent> Events)?> TimelineAsync(string id,
        HttpRequest request)
    {
        if (!DeploymentId.IsValid(id)) return null;
        var ct = request.HttpContext.RequestAborted;
        if (await store.GetAsync(id, ct) is not { } record) return null;
        return (record, await events.ReadAsync(id, cancellationToken: ct));
    }
}
