namespace Catalyst.Domain.Deployments;

/// <summary>
/// The public shape of a deployment (reference A.9: <c>State()</c>), plus <c>phase</c>, <c>step</c>, <c>progress</c>
/// and <c>failure</c> (who must act). Built from the record only, so any replica answers the same.
/// </summary>
public static class DeploymentView
{
    public static Dictionary<string, object?> From(DeploymentRecord record, int? numEvents)
    {
        var view = new Dictionary<string, object?>
        {
            ["id"] = record.Id,
            ["status"] = record.Status,
            ["phase"] = record.Phase,
            ["step"] = record.Step,
            ["progress"] = record.Progress,
            ["startedAt"] = record.StartedAt.UtcDateTime,
            ["finishedAt"] = record.FinishedAt?.UtcDateTime,
            ["sovereignFQDN"] = record.Request.SovereignFqdn,
            ["region"] = record.Request.Region,
        };
        if (numEvents is { } n) view["numEvents"] = n;
        if (record.Error is { Length: > 0 } error) view["error"] = error;
        if (record.Failure is { } failure) view["failure"] = failure;
        if (record.Result is { } result)
        {
            view["result"] = result;
            if (result.ComponentStates is { Count: > 0 } states) view["componentStates"] = states;
            if (result.Phase1FinishedAt is { } finished) view["phase1FinishedAt"] = finished.UtcDateTime;
        }
        if (record.UnadoptedResources > 0) view["unadoptedResources"] = record.UnadoptedResources;
        if (record.Orphans is { } orphans) view["orphans"] = orphans;
        if (record.Sandbox) view["sandbox"] = true;
        return view;
    }

    public static string StreamUrl(string id) => $"/api/v1/deployments/{id}/logs";
}
