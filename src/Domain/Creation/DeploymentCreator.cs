using Catalyst.Domain.Auth;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Dns;
using Catalyst.Domain.Store;
using Catalyst.Domain.Subdomains;
using Catalyst.Domain.Wizard;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Domain.Creation;

/// <summary>Starts the provisioning workflow for a stored deployment (a Durable orchestration in the app).</summary>
public interface IWorkflowStarter
{
    Task StartAsync(DeploymentRecord record, CancellationToken cancellationToken);

    /// <summary>Whether the deployment has a workflow at all (running or finished).</summary>
    Task<bool> ExistsAsync(string deploymentId, CancellationToken cancellationToken);
}

/// <summary>
/// POST /api/v1/deployments (reference B.2), as a rule: validate everything first, so a bad request stores
/// nothing and starts nothing; then secrets to the vault, the record, the first event, the workflow.
/// Issue 15 (squatting): the Hetzner token is proven with Hetzner and the pool name checked against the reserved names
/// and the zone before anything is stored, and one owner may have
/// only <see cref="InProgressLimit"/> deployments under way.
/// </summary>
public sealed class DeploymentCreator(
    DeploymentStore store, Vault vault, EventLog events, IdempotencyKeys idempotency, ManagedDomains managedDomains,
    SubdomainReservations reservations, OperatorSecrets operatorSecrets, TimeProvider time, SandboxMode sandbox,
    ReservedSubdomains reservedNames, HetznerTokenCheck tokens, IPoolZoneReader zones, InProgressLimit limit,
    OwnerLocks ownerLocks)
{
    const string SubdomainConflict = "subdomain-conflict";

    public abstract record Outcome;
    public sealed record Created(DeploymentRecord Record, bool Replayed) : Outcome;
    public sealed record Rejected(int Status, ApiError Error) : Outcome;

    /// <summary><paramref name="workflows"/> comes per call: in Functions
    /// mode the Durable client is a trigger binding, not a service.</summary>
    /// <param name="creator">The signed-in caller, who becomes the owner; null when authentication is off.</param>
    public async Task<Outcome> CreateAsync(string? contentType, ReadOnlyMemory<byte> body, bool truncated,
        string? idempotencyKey,
        SessionIdentity? creator, IWorkflowStarter workflows, CancellationToken cancellationToken)
    {
        var owner = DeploymentAccess.OwnerOf(creator);
        var (parsed, error) = DeploymentRequestReader.Read(contentType, body.Span, truncated);
        if (error is not null) return new Rejected(400, error);
        var request = parsed!.WithRegionMirrored();
        request = request with { ObjectStorageBucket = DeploymentValidator.EffectiveBucket(request) };
        if (DeploymentValidator.Validate(request, operatorSecrets) is { } problem)
            return new Rejected(400, new ApiError(problem.Message, $"field: {problem.Field}"));
        // A pool name is only ever published in a domain this Catalyst manages (reference C.2); refuse the rest here,
        // before anything is stored, rather than fail the workflow at the DNS step.
        if (request.IsPoolMode && !managedDomains.Contains(request.SovereignPoolDomain))
            return new Rejected(400,
                new ApiError($"pool domain \"{request.SovereignPoolDomain}\" is not managed by this Catalyst",
                $"managed pool domains: {string.Join(", ", managedDomains.All)}"));
        if (request.IsPoolMode && reservedNames.Contains(request.SovereignSubdomain))
            return new Rejected(409, new ApiError(SubdomainConflict, ReservedSubdomains.Detail));

        // A made-up 64-character token used to hold a name and a tofu slot until tofu failed. Hetzner says whether it
        // works (the wizard's credentials check, reference A.4) before anything is stored or reserved.
        var verdict = await tokens.CheckAsync(request.HetznerToken, cancellationToken);
        if (!verdict.Valid)
            return verdict.Status == 503
                ? new Rejected(503, new ApiError(verdict.Message,
                    "the Hetzner token could not be checked; nothing was stored — try again"))
                : new Rejected(400, new ApiError(verdict.Message, "field: hetznerToken"));

        if (request.IsPoolMode && await ForeignRecordsAsync(request, cancellationToken) is { } refused) return refused;

        var id = DeploymentId.New();
        var claimedKey = (string?)null;
        if (!string.IsNullOrWhiteSpace(idempotencyKey))
        {
            if (idempotencyKey.Length > 255)
                return new Rejected(400, new ApiError("invalid Idempotency-Key", "at most 255 characters"));
            // A key is the caller's own: another user who sends the same key starts their own deployment, and is never
            // answered with (or told of) someone else's.
            if (owner is not null) idempotencyKey = $"{owner.Subject}\n{idempotencyKey}";
            if (await idempotency.ClaimAsync(idempotencyKey, id, body, cancellationToken) is { } earlier)
            {
                if (earlier.BodyHash != IdempotencyKeys.Hex(body.Span))
                    return new Rejected(409, new ApiError("idempotency-key-reused",
                        "this Idempotency-Key was used for a different request body"));
                if (await WaitForRecordAsync(earlier.DeploymentId, cancellationToken) is { } first)
                {
                    await EnsureWorkflowAsync(first, workflows, cancellationToken);
                    return new Created(first, Replayed: true);
                }
                // No record: the first request is still running, or died after its claim. Once the claim is old enough
                // to be abandoned, this retry finishes the job under the same id (so a reservation it made stays ours).
                if (!await idempotency.TakeOverAsync(idempotencyKey, cancellationToken))
                    return new Rejected(409, new ApiError("idempotency-key-in-progress",
                        "the first request with this Idempotency-Key has not finished; retry shortly"));
                id = earlier.DeploymentId;
            }
            claimedKey = idempotencyKey;
        }

        // Counting and creating under the owner's lock, so ten parallel POSTs cannot all see two in progress.
        await using var turn = owner is not null && limit.Max is not null
            ? await ownerLocks.AcquireAsync(owner, cancellationToken) : null;
        if (creator is not null && limit.Max is { } max
            && await store.CountAsync(InProgressLimit.OwnedBy(creator), InProgressLimit.InProgress,
                cancellationToken) >= max)
        {
            if (claimedKey is not null) await idempotency.ReleaseAsync(claimedKey, id, cancellationToken);
            return new Rejected(429, new ApiError(InProgressLimit.Error, InProgressLimit.Detail(max)));
        }

        if (request.IsPoolMode
            && await reservations.ReserveAsync(request.SovereignPoolDomain, request.SovereignSubdomain, id,
                cancellationToken) == ReserveResult.Conflict)
            return new Rejected(409, new ApiError(SubdomainConflict,
                "this subdomain has been reserved or activated for the chosen pool — pick a different name"));

        var bearer = KubeconfigBearer.New();
        await vault.PutAsync(id, VaultEntries.HetznerToken, request.HetznerToken, cancellationToken);
        await vault.PutAsync(id, VaultEntries.ObjectStorageSecretKey, request.ObjectStorageSecretKey,
            cancellationToken);
        await vault.PutAsync(id, VaultEntries.KubeconfigBearer, bearer, cancellationToken);

        var now = time.GetUtcNow();
        var record = new DeploymentRecord
        {
            Id = id,
            Status = DeploymentStatuses.Provisioning,
            Phase = Phases.Queued,
            Step = Steps.Queued,
            Request = request.Redacted(),
            StartedAt = now,
            UpdatedAt = now,
            KubeconfigBearerHash = KubeconfigBearer.Hash(bearer),
            Owner = owner,
            // Marked at birth so a reader of any record knows it never had (and never will have) real servers.
            Sandbox = sandbox.Enabled,
        };
        if (!await store.CreateAsync(record, cancellationToken))
            // a racing takeover wrote it first
            return new Created((await store.GetAsync(id, cancellationToken))!, Replayed: true);
        await events.AppendAsync(id, [DeploymentEvent.Info($"{id}:accepted", "queued",
            $"Deployment accepted: provisioning {request.SovereignFqdn} in {request.Region}", now)], cancellationToken);
        await workflows.StartAsync(record, cancellationToken);
        return new Created(record, Replayed: false);
    }

    /// <summary>
    /// A pool name whose names already hold records is someone else's (an operator's, or left behind): the wizard's
    /// check answers <c>reserved</c> for it and the create refuses it. Dynadot not answering is PDM's transient 503
    /// (reference A.8).
    /// </summary>
    async Task<Rejected?> ForeignRecordsAsync(DeploymentRequest request, CancellationToken cancellationToken)
    {
        // A reservation that is live and someone else's is the
        // reservation's 409 below; the zone is read only otherwise.
        if (await reservations.GetAsync(request.SovereignPoolDomain, request.SovereignSubdomain,
            cancellationToken) is { } current && current.IsLive(reservations.Now))
            return null;
        try
        {
            var records = await zones.RecordsUnderAsync(request.SovereignPoolDomain, request.SovereignSubdomain,
                cancellationToken);
            return records is { Count: > 0 }
                ? new Rejected(409, new ApiError(SubdomainConflict, SubdomainChecker.ForeignRecordsDetail)) : null;
        }
        catch (DynadotException e)
        {
            return new Rejected(503,
                new ApiError("pdm-unavailable", $"the pool's DNS is temporarily unreadable: {e.Message}"));
        }
    }

    /// <summary>A request that died between its record and its
    /// workflow left a deployment nobody works on: start it.</summary>
    static async Task EnsureWorkflowAsync(DeploymentRecord record, IWorkflowStarter workflows,
        CancellationToken cancellationToken)
    {
        if (!StrandedDeployments.IsStartingRun(record) || await workflows.ExistsAsync(record.Id, cancellationToken))
            return;
        await workflows.StartAsync(record, cancellationToken);
    }

    async Task<DeploymentRecord?> WaitForRecordAsync(string id, CancellationToken cancellationToken)
    {
        // The winner writes its record right after claiming the key; give it a moment rather than fail the replay.
        for (var i = 0; i < 50; i++)
        {
            if (await store.GetAsync(id, cancellationToken) is { } record) return record;
            await Task.Delay(100, cancellationToken);
        }
        return null;
    }
}
