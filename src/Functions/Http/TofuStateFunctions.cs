using System.Net.Http.Headers;
using System.Text;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Domain.Tofu;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Catalyst.Functions.Http;

/// <summary>
/// OpenTofu's http state backend, one per deployment (DESIGN §5). tofu is configured with lock_method=POST and
/// unlock_method=DELETE because the Functions host routes only standard verbs. Every call carries Basic auth:
/// username = deployment id, password derived per deployment (<see cref="TofuBackendCredentials"/>). Catalyst's own
/// runs tag their addresses (<see cref="TofuRunTag"/>): a lock of a run that is no longer current (an older run, or an
/// apply once a wipe has begun) is refused, and a tagged lock may take over from a gone execution at once.
/// </summary>
public sealed class TofuStateFunctions(TofuStateStore store, TofuBackendCredentials credentials,
    DeploymentStore deployments)
{
    public const long MaxStateBytes = 64L << 20;
    const string Route = "api/v1/tofu/state/{id}";

    [Function(nameof(TofuStateGet))]
    public async Task<IResult> TofuStateGet(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request, string id)
    {
        if (Refuse(request, id) is { } refused) return refused;
        var state = await store.ReadStateAsync(id, request.HttpContext.RequestAborted);
        return state is null ? Results.NoContent() : Results.Bytes(state, "application/json");
    }

    [Function(nameof(TofuStatePost))]
    public async Task<IResult> TofuStatePost(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route)] HttpRequest request, string id)
    {
        if (Refuse(request, id) is { } refused) return refused;
        var body = await RequestBody.ReadAsync(request, MaxStateBytes, request.HttpContext.RequestAborted);
        if (body is null) return TooLarge(MaxStateBytes);
        // tofu adds ?ID=<lock id> to every state write made under its lock.
        var result = await store.WriteStateAsync(id, request.Query["ID"].ToString(), BinaryData.FromBytes(body),
            request.HttpContext.RequestAborted);
        return result.Outcome switch
        {
            TofuLockOutcome.Done => Results.Ok(),
            TofuLockOutcome.NotLocked =>
                Error(StatusCodes.Status409Conflict, "not-locked", "state writes need the state lock (?ID=<lock id>)"),
            _ => Held(result.Holder),
        };
    }

    [Function(nameof(TofuStateLock))]
    public async Task<IResult> TofuStateLock(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/lock")] HttpRequest request, string id)
    {
        if (Refuse(request, id) is { } refused) return refused;
        if (await ReadLockInfoAsync(request) is not { } info) return BadLockInfo();
        if (!TofuRunTag.TryParse(request.Query["op"], request.Query["run"], request.Query["exec"], out var tag))
            return Error(StatusCodes.Status400BadRequest, "bad-request",
                "op, run and exec must be Catalyst's run tag (op=apply|destroy, run=<n>, exec=<id>)");
        if (tag is not null && await StaleAsync(id, tag, request.HttpContext.RequestAborted) is { } stale)
            return Error(StatusCodes.Status409Conflict, "stale-run", stale);
        var result = await store.LockAsync(id, info, tag, request.HttpContext.RequestAborted);
        return result.Outcome == TofuLockOutcome.Done ? Results.Ok() : Held(result.Holder);
    }

    // Fencing by the record: a retry bumps the run, a wipe sets wiping; tofu of what came before must not start again.
    async Task<string?> StaleAsync(string id, TofuRunTag tag, CancellationToken cancellationToken)
    {
        if (await deployments.GetAsync(id, cancellationToken) is not { } record) return null;
        if (tag.Run < record.Run) return $"run {tag.Run} is no longer current: the deployment is on run {record.Run}";
        if (tag.Operation == TofuRunTag.Apply && record.Status is DeploymentStatuses.Wiping or DeploymentStatuses.Wiped)
            return $"the deployment is {record.Status}: no apply may start";
        return null;
    }

    [Function(nameof(TofuStateUnlock))]
    public async Task<IResult> TofuStateUnlock(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Route + "/lock")] HttpRequest request, string id)
    {
        if (Refuse(request, id) is { } refused) return refused;
        if (await ReadLockInfoAsync(request) is not { } info) return BadLockInfo();
        var result = await store.UnlockAsync(id, info, request.HttpContext.RequestAborted);
        return result.Outcome == TofuLockOutcome.Done ? Results.Ok() : Held(result.Holder);
    }

    IResult? Refuse(HttpRequest request, string id)
    {
        // Checked first, so nothing malformed reaches a blob name.
        if (!DeploymentId.IsValid(id)) return Error(StatusCodes.Status404NotFound, "not-found", "no such deployment");
        if (!TryBasic(request, out var user, out var password) || user != id || !credentials.Verify(id, password))
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"catalyst tofu state\"";
            return Error(StatusCodes.Status401Unauthorized, "unauthorized",
                "Basic credentials of this deployment's state backend are required");
        }
        return null;
    }

    static bool TryBasic(HttpRequest request, out string user, out string password)
    {
        user = password = "";
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
            || !header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
            return false;
        string pair;
        try
        {
            pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = pair.IndexOf(':');
        if (colon < 0) return false;
        (user, password) = (pair[..colon], pair[(colon + 1)..]);
        return true;
    }

    static async Task<TofuLockInfo?> ReadLockInfoAsync(HttpRequest request)
    {
        var body = await RequestBody.ReadAsync(request, TofuStateStore.MaxLockInfoBytes,
            request.HttpContext.RequestAborted);
        return body is not null && TofuLockInfo.TryParse(body, out var info) ? info : null;
    }

    // tofu reads the holder from a 423 body and prints it as "Lock Info"; it is the holder's own lock info, verbatim.
    static IResult Held(TofuLockInfo? holder) =>
        Results.Content(holder?.Raw ?? "{\"ID\":\"\",\"Info\":\"held by a holder that has not recorded itself yet\"}",
            "application/json", Encoding.UTF8, StatusCodes.Status423Locked);

    static IResult BadLockInfo() =>
        Error(StatusCodes.Status400BadRequest, "bad-request",
            $"the body must be tofu's lock info JSON with an ID, at most {TofuStateStore.MaxLockInfoBytes} bytes");

    static IResult TooLarge(long max) =>
        Error(StatusCodes.Status413PayloadTooLarge, "too-large", $"the body exceeds {max} bytes");

    static IResult Error(int status, string error, string detail) => HttpErrors.Json(status, error, detail);
}
