using Microsoft.DurableTask.Client;

namespace Catalyst.Functions.Activities;

/// <summary>
/// The Durable client the Phase-1 watch raises its conclusions with. Standalone has one in its services from the start;
/// the isolated worker has none outside a function's binding (the Durable extension offers no client factory), so the
/// watch's activities hand theirs over as they run — a replica that has run none waits here, and the workflow's
/// check-in collects the conclusion from the registry instead.
/// </summary>
public sealed class WorkflowClients(DurableTaskClient? client = null)
{
    readonly TaskCompletionSource<DurableTaskClient> first = client is null
        ? new(TaskCreationOptions.RunContinuationsAsynchronously)
        : CreateSet(client);

    static TaskCompletionSource<DurableTaskClient> CreateSet(DurableTaskClient client)
    {
        var set = new TaskCompletionSource<DurableTaskClient>(TaskCreationOptions.RunContinuationsAsynchronously);
        set.SetResult(client);
        return set;
    }

    public void Offer(DurableTaskClient? client)
    {
        if (client is not null) first.TrySetResult(client);
    }

    public async Task<DurableTaskClient?> GetAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            return await first.Task.WaitAsync(wait, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }
}
