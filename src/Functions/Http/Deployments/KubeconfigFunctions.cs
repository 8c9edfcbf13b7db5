using System.Security.Cryptography;
using Catalyst.Domain.ClusterCache;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Functions.Activities;
using Catalyst.Functions.Orchestrations;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Functions.Http.Deployments;

/// <summary>
/// The kubeconfig postback from the new Sovereign's cloud-init and its download (reference A.12, A.13). The PUT is
/// outside any session gate: its bearer is its credential. The kubeconfig goes to the vault; the workflow gets a
/// reference (hash and size), never the bytes.
/// </summary>
public sealed class KubeconfigFunctions(DeploymentStore store, Vault vault, EventLog events, ProvisionSettings settings,
    WatchSettings watch, TimeProvider time, SovereignCache clusters, AuditTrail audit, SandboxMode sandbox,
    WatchStart watches, WorkflowClients workflows, ILogger<KubeconfigFunctions> log)
{
    [Function(nameof(PutKubeconfig))]
    public async Task<IResult> PutKubeconfig(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put",
            Route = "api/v1/deployments/{id}/kubeconfig")] HttpRequest request,
        [DurableClient] DurableTaskClient client, string id)
    {
        var answer = await PutAsync(request, client, id);
        Catalyst.Domain.Metrics.CatalystMetrics.Postback((answer as IStatusCodeHttpResult)?.StatusCode ?? 200,
            (answer as IValueHttpResult)?.Value is ApiError error ? error.Error : null);
        return answer;
    }

    async Task<IResult> PutAsync(HttpRequest request, DurableTaskClient client, string id)
    {
        var ct = request.HttpContext.RequestAborted;
        if (await store.GetAsync(id, ct) is not { } record) return HttpErrors.DeploymentNotFound(id);
        if ((KubeconfigPostback.CheckBearer(record, request.Headers.Authorization)
            ?? KubeconfigPostback.CheckOpen(record)) is { } refused)
        {
            if (refused.Error.Error == "invalid-bearer")
                log.LogWarning("Kubeconfig postback for {Id} refused: bearer does not match", id);
            return HttpErrors.Json(refused);
        }
        var read = await RequestBody.ReadAsync(request, KubeconfigPostback.MaxBytes, ct);
        var (body, truncated) = (read ?? [], read is null);
        if (KubeconfigPostback.CheckBody(body.Length, truncated) is { } bad) return HttpErrors.Json(bad);

        // Issue 15: the kubeconfig is data. Nothing is stored, registered or built from a body that is not exactly the
        // shape Catalyst accepts. A 422 does not spend the bearer, so a corrected body (cloud-init retries, or an
        // operator) can still arrive: spending it would turn one bad body into a dead deployment, and retrying gains
        // the tenant who holds the bearer nothing, since every body meets the same rules.
        var verdict = SovereignKubeconfig.Read(body, record, sandbox.Enabled);
        if (verdict.AddressesUnknown)
            // cloud-init can finish before tofu apply records its outputs (A.13 step 9): a 409 it retries in 10 s.
            return HttpErrors.Json(StatusCodes.Status409Conflict, "addresses-not-recorded",
                "the deployment's control-plane and load-balancer addresses are not recorded yet (tofu apply is " +
                "still running); retry");
        if (verdict.Refusal is { } refusal)
        {
            log.LogWarning("Kubeconfig postback for {Id} refused: {Refusal}", id, refusal);
            return HttpErrors.Json(StatusCodes.Status422UnprocessableEntity, "kubeconfig-refused", refusal);
        }

        // Stored but never acknowledged: a host died between the vault write and the record/event. The same bearer
        // resending the same bytes completes that postback instead of being refused for ever (cloud-init retries).
        bool written;
        try
        {
            written = await vault.PutIfAbsentAsync(id, VaultEntries.Kubeconfig, body, ct);
        }
        catch (Azure.RequestFailedException e)
        {
            log.LogError("Kubeconfig postback for {Id}: vault write failed ({Status})", id, e.Status);
            return HttpErrors.Json(StatusCodes.Status503ServiceUnavailable, "write-failed",
                "the kubeconfig could not be stored; cloud-init retries");
        }
        if (!written)
        {
            if (KubeconfigPostback.CheckResend(await vault.GetAsync(id, VaultEntries.Kubeconfig, ct),
                body) is { } spent) return HttpErrors.Json(spent);
            log.LogWarning(
                "Kubeconfig postback for {Id}: completing a postback whose host stopped before acknowledging it", id);
        }

        // the cache watches the new Sovereign from now on; other replicas find it on their next rescan
        clusters.Register(id, body);
        var received = new KubeconfigReceived(Convert.ToHexStringLower(SHA256.HashData(body)), body.Length);
        var now = time.GetUtcNow();
        record = (await store.UpdateAsync(id, r => KubeconfigPostback.Received(r, now), ct))!;
        log.LogInformation("Kubeconfig received for {Id} ({Fqdn}, {Bytes} bytes)", id,
            record.Request.SovereignFqdn, body.Length);

        if (KubeconfigPostback.RestartsWatch(record))
        {
            var restarted = (await store.UpdateAsync(id,
                r => KubeconfigPostback.RestartsWatch(r) ? KubeconfigPostback.RestartWatch(r) : null, ct))!;
            await events.AppendAsync(id,
                [DeploymentEvent.Info(EventKeys.Step(id, restarted.Run, Steps.LateKubeconfig), Phases.Phase1,
                $"Phase-1 watch: a late kubeconfig arrived ({body.Length} bytes) after the arrival wait gave up; " +
                "restarting the HelmRelease watch.", now)], ct);
            await new DurableWorkflowStarter(client, settings, watch, restarted.Run,
                kubeconfigAlreadyReceived: true).StartAsync(restarted, ct);
        }
        else if (!await RaiseArrivalAsync(client, record, received, ct))
        {
            // No workflow waits for it (the run already failed, or was wiped): the same answer in both hosts. The
            // kubeconfig is stored (GET .../kubeconfig serves it), so cloud-init's PUT succeeded and it must not retry:
            // 204, as in A.13.
            log.LogWarning("Kubeconfig for {Id} stored, but no workflow is waiting for it (deployment is {Status})", id,
                record.Status);
            await events.AppendAsync(id,
                [DeploymentEvent.Info(EventKeys.Step(id, record.Run, Steps.KubeconfigUnclaimed), Phases.Phase1,
                $"Kubeconfig received from cloud-init ({body.Length} bytes) " +
                $"while no workflow was waiting for it (deployment {record.Status}); " +
                $"it is stored and GET /api/v1/deployments/{id}/kubeconfig serves it.", now)], ct);
        }
        return Results.NoContent();
    }

    /// <summary>
    /// Tells the workflow. When it already waits for this postback, the deployment enters the watch here, once the
    /// workflow is found able to take the event, as the original's PUT started its watch: the first listing follows the
    /// postback at once instead of after two queue hops (the event to the workflow, then its BeginWatch) behind every
    /// other provision's steps (issue 16). False when no workflow is there to tell.
    /// </summary>
    async Task<bool> RaiseArrivalAsync(DurableTaskClient client, DeploymentRecord record, KubeconfigReceived received,
        CancellationToken ct)
    {
        var started = false;
        async Task<object> StartWatchIfAwaited()
        {
            if (!KubeconfigPostback.AwaitedByWorkflow(record)) return received;
            workflows.Offer(client); // so this replica can deliver the watch's conclusion in the isolated worker too
            try
            {
                await watches.BeginAsync(
                    WatchEntry.Starting(record.Id, record.Run, watch, time.GetUtcNow().UtcDateTime),
                    KubeconfigPostback.Arrival(record.Id, record.Run, received.Bytes), ct);
                started = true;
            }
            catch (Azure.RequestFailedException e)
            {
                // The workflow's BeginWatch starts it instead, one queue hop later; the postback itself succeeded.
                log.LogWarning("Kubeconfig postback for {Id}: the watch did not start here ({Status}); " +
                    "the workflow starts it", record.Id, e.Status);
            }
            return received with { WatchStarted = started };
        }
        if (await WorkflowInstances.RaiseIfActiveAsync(client, record.Id, TaskNames.KubeconfigReceivedEvent,
            StartWatchIfAwaited, ct)) return true;
        if (started) await watches.EndAsync(record.Id, record.Run, ct); // it finished between the look and the raise
        return false;
    }

    [Function(nameof(GetKubeconfig))]
    public async Task<IResult> GetKubeconfig(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get",
            Route = "api/v1/deployments/{id}/kubeconfig")] HttpRequest request, string id)
    {
        var ct = request.HttpContext.RequestAborted;
        if (await store.GetAsync(id, ct) is not { } record) return HttpErrors.DeploymentNotFound(id);
        byte[]? kubeconfig;
        try
        {
            kubeconfig = await vault.GetAsync(id, VaultEntries.Kubeconfig, ct);
        }
        catch (CryptographicException e)
        {
            return HttpErrors.Json(StatusCodes.Status409Conflict, "kubeconfig-file-missing",
                $"deployment record points at a kubeconfig the vault cannot read: {e.Message}");
        }
        if (kubeconfig is null)
            return record.Result?.KubeconfigReceivedAt is null
                ? HttpErrors.Json(StatusCodes.Status409Conflict, "not-implemented",
                    "kubeconfig has not been captured for this deployment yet. " +
                    "Operator can fetch it via SSH per docs/RUNBOOK-PROVISIONING.md §Fetch kubeconfig via SSH; " +
                    "programmatic capture happens when the new Sovereign's cloud-init PUTs to this endpoint.")
                : HttpErrors.Json(StatusCodes.Status409Conflict, "kubeconfig-file-missing",
                    "deployment record points at a kubeconfig that is no longer in the vault (wiped?)");
        await audit.RecordAsync(request.HttpContext, id, AuditEvents.DownloadKubeconfig, ct);
        request.HttpContext.Response.Headers.ContentDisposition =
            $"attachment; filename=\"{record.Request.SovereignFqdn}-kubeconfig.yaml\"";
        return Results.Bytes(kubeconfig, "application/yaml");
    }

    [Function(nameof(GetComponentsState))]
    public async Task<IResult> GetComponentsState(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get",
            Route = "api/v1/deployments/{id}/components/state")] HttpRequest request, string id)
    {
        if (await store.GetAsync(id, request.HttpContext.RequestAborted) is not { } record)
            return HttpErrors.DeploymentNotFound(id);
        var states = record.Result?.ComponentStates ?? new Dictionary<string, string>();
        return Results.Json(states.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new
        {
            appId = s.Key, status = s.Value, helmReleaseName = ComponentStates.BlueprintPrefix + s.Key,
            @namespace = HelmReleaseReader.Namespace,
        }));
    }
}
