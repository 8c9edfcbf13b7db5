using DurableTask.Core.Exceptions;
using Grpc.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Catalyst.Functions.Orchestrations;

/// <summary>
/// Starting and signalling workflows the same way in both hosts. The Functions host refuses to start an instance id
/// whose instance is running and throws when an event is raised on a finished one; standalone's sidecar (with no dedupe
/// statuses) replaced a running instance and dropped the event silently. So every start names the statuses it must not
/// replace and every raise looks at the instance first.
/// </summary>
public static class WorkflowInstances
{
    /// <summary>
    /// An instance in one of these is never replaced by a start. Both hosts honour them: standalone's sidecar passes
    /// them to the Azure Storage engine as dedupe statuses, and a start that raced another one past that check loses at
    /// the engine's conditional instance-row write (its start message is then discarded).
    /// </summary>
    public static readonly OrchestrationRuntimeStatus[] Active =
        [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended];

    public static bool IsActive(OrchestrationMetadata? instance) =>
        instance is not null && (Active.Contains(instance.RuntimeStatus)
#pragma warning disable CS0618 // ContinuedAsNew is obsolete but an engine may still report it: the instance goes on
        || instance.RuntimeStatus == OrchestrationRuntimeStatus.ContinuedAsNew);
#pragma warning restore CS0618

    /// <summary>
    /// Schedules <paramref name="name"/> as <paramref name="instanceId"/> unless an instance of that id is pending,
    /// running or suspended. False when one is (found first, or refused by the engine); true when this call scheduled
    /// it.
    /// </summary>
    public static async Task<bool> StartUnlessActiveAsync(DurableTaskClient client, TaskName name, object input,
        string instanceId, CancellationToken cancellationToken)
    {
        if (IsActive(await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken)))
            return false;
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(name, input,
                new StartOrchestrationOptions(instanceId).WithDedupeStatuses(Active), cancellationToken);
            return true;
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or OrchestrationAlreadyExistsException)
        {
            // Another start won the race (each host words the refusal its own way): fine when an instance now runs.
            if (IsActive(await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken)))
                return false;
            throw;
        }
    }

    /// <summary>
    /// Raises <paramref name="eventName"/> on the instance only when it can still receive it: true when raised, false
    /// when the instance is finished or does not exist (the Functions host would throw; standalone would drop it).
    /// </summary>
    public static Task<bool> RaiseIfActiveAsync(DurableTaskClient client, string instanceId, string eventName,
        object payload, CancellationToken cancellationToken) =>
        RaiseIfActiveAsync(client, instanceId, eventName, () => Task.FromResult(payload), cancellationToken);

    /// <summary>As above, with the payload made only once the instance is found able to receive it (making it may
    /// start work that only makes sense then).</summary>
    public static async Task<bool> RaiseIfActiveAsync(DurableTaskClient client, string instanceId, string eventName,
        Func<Task<object>> payload, CancellationToken cancellationToken)
    {
        if (!IsActive(await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken)))
            return false;
        var made = await payload();
        try
        {
            await client.RaiseEventAsync(instanceId, eventName, made, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // It finished between the look and the raise (the Functions host refuses a finished instance).
            if (IsActive(await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken)))
                throw;
            return false;
        }
    }

    /// <summary>The run a provisioning or wipe instance was started
    /// for, from its input; null when it cannot say.</summary>
    public static int? RunOf(OrchestrationMetadata instance)
    {
        try
        {
            return instance.Name switch
            {
                TaskNames.ProvisionSovereign => instance.ReadInputAs<ProvisionInput>()?.Run,
                TaskNames.Decommission => instance.ReadInputAs<Activities.WipeInput>()?.Run,
                _ => null,
            };
        }
        catch (Exception e)
            when (e is System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }
}
