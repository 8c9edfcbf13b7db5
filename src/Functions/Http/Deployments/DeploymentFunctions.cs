using Catalyst.Domain.Auth;
using Catalyst.Domain.Creation;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Functions.Orchestrations;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Catalyst.Functions.Http.Deployments;

/// <summary>Create, read and list deployments (reference A.8, A.9).</summary>
public sealed class DeploymentFunctions(DeploymentCreator creator, DeploymentStore store, EventLog events,
    ProvisionSettings settings, WatchSettings watch, AuthSettings auth, ILogger<DeploymentFunctions> log)
{
    [Function(nameof(CreateDeployment))]
    public async Task<IResult> CreateDeployment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/deployments")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        var ct = request.HttpContext.RequestAborted;
        var read = await RequestBody.ReadAsync(request, DeploymentRequestReader.MaxBodyBytes, ct);
        var (body, truncated) = (read ?? [], read is null);
        var outcome = await creator.CreateAsync(request.ContentType, body, truncated,
            request.Headers["Idempotency-Key"].FirstOrDefault(),
            CallerIdentity.Of(request.HttpContext), new DurableWorkflowStarter(client, settings, watch), ct);
        switch (outcome)
        {
            case DeploymentCreator.Rejected rejected:
                return HttpErrors.Json(rejected.Status, rejected.Error);
            case DeploymentCreator.Created created:
                var id = created.Record.Id;
                if (created.Replayed) request.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
                else log.LogInformation("Deployment {Id} created for {Fqdn}", id, created.Record.Request.SovereignFqdn);
                return Results.Created($"/api/v1/deployments/{id}",
                    new { id, status = created.Record.Status, streamURL = DeploymentView.StreamUrl(id) });
            default:
                throw new InvalidOperationException(outcome.GetType().Name);
        }
    }

    [Function(nameof(GetDeployment))]
    public async Task<IResult> GetDeployment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/deployments/{id}")] HttpRequest request,
            string id)
    {
        var ct = request.HttpContext.RequestAborted;
        // A status view: a record this process read or wrote within the last second is good enough.
        if (await store.GetRecentAsync(id, TimeSpan.FromSeconds(1), ct) is not { } record)
            return HttpErrors.DeploymentNotFound(id);
        return Results.Json(DeploymentView.From(record, await events.CountAsync(id, ct)));
    }

    /// <summary>Newest first; <c>?limit=</c> (1–200, default 50),
    /// <c>?offset=</c>, and for operators <c>?owner=</c> (an email).</summary>
    [Function(nameof(ListDeployments))]
    public async Task<IResult> ListDeployments(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/deployments")] HttpRequest request)
    {
        var limit = int.TryParse(request.Query["limit"], out var l) ? l : 50;
        var offset = int.TryParse(request.Query["offset"], out var o) ? o : 0;
        if (limit is < 1 or > 200 || offset < 0)
            return HttpErrors.Json(StatusCodes.Status400BadRequest, "invalid paging",
                "limit must be 1-200 and offset 0 or more");
        // Each caller sees their own; an operator sees all, or one owner's with ?owner=<email>.
        var caller = CallerIdentity.Of(request.HttpContext);
        var mode = auth.Mode;
        Func<OwnerKeys, bool> visible = request.Query["owner"].FirstOrDefault() is { Length: > 0 } ownerEmail
            && (caller?.IsOperator ?? mode == AuthMode.Off)
            ? keys => keys.Email == DeploymentOwner.EmailKey(ownerEmail)
            : keys => DeploymentAccess.Allows(mode, caller, keys);
        var (items, total) = await store.ListAsync(offset, limit,
            (id, problem) => log.LogWarning("Skipping deployment record {Id}: {Problem}", id, problem),
            request.HttpContext.RequestAborted, visible);
        var next = offset + items.Count < total ? offset + limit : (int?)null;
        return Results.Json(new { items = items.Select(r => DeploymentView.From(r, numEvents: null)), total, offset,
            limit, nextOffset = next });
    }
}
