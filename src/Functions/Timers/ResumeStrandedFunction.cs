using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;
using Catalyst.Domain.Store;
using Catalyst.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Functions.Timers;

/// <summary>
/// Finds records that say a run is under way with no workflow working on it (<see cref="StrandedDeployments"/>): starts
/// a run that never started, and records failed a run whose workflow failed, was terminated or is gone. Safe on every
/// replica at once: starts never replace a pending or running instance, and the failure is written only over the exact
/// record that was judged (same run, same last update), so the first replica files it and the others find it changed.
/// </summary>
public sealed class ResumeStrandedFunction(DeploymentStore store, EventLog events, ProvisionSettings settings,
    WatchSettings watch, TimeProvider time,
    IConfiguration configuration, ILogger<ResumeStrandedFunction> log)
{
    /// <summary>
    /// The Functions host's own switch for a function (<c>AzureWebJobs.ResumeStranded.Disabled</c>, or
    /// <c>AzureWebJobs__ResumeStranded__Disabled</c> as an environment variable), honoured here so standalone obeys it
    /// too. Tests that share one storage account between apps on different task hubs set it: each app would see the
    /// others' records with no workflow in its own hub.
    /// </summary>
    bool Disabled => configuration["AzureWebJobs.ResumeStranded.Disabled"] is "true" or "1"
        || configuration["AzureWebJobs:ResumeStranded:Disabled"] is "true" or "1";

    [Function(nameof(ResumeStranded))]
    public async Task ResumeStranded([TimerTrigger("30 * * * * *")] TimerInfo timer,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (Disabled) return;
        var now = time.GetUtcNow();
        var (page, total) = (0, int.MaxValue);
        for (var offset = 0; offset < total; offset += page)
        {
            var (items, all) = await store.ListAsync(offset, 200, cancellationToken: cancellationToken);
            (page, total) = (Math.Max(items.Count, 1), all);
            foreach (var candidate in items.Where(r => StrandedDeployments.MayBeStranded(r, now)))
            {
                try
                {
                    await ResumeAsync(client, candidate.Id, now, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One deployment's trouble (storage, the engine) must not keep the timer from the others.
                    log.LogError(e,
                        "ResumeStranded: deployment {Id} could not be checked; next round tries again", candidate.Id);
                }
            }
        }
    }

    async Task ResumeAsync(DurableTaskClient client, string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Decide on storage, not on the list's cached copy.
        if (await store.GetAsync(id, cancellationToken) is not { } record
            || !StrandedDeployments.MayBeStranded(record, now)) return;
        var workflow = await WorkflowOfAsync(client, StrandedDeployments.InstanceIdOf(record), cancellationToken);
        switch (StrandedDeployments.Decide(record, workflow, now))
        {
            case StrandedDeployments.Action.Start:
                log.LogWarning(
                    "Deployment {Id} run {Run} has said '{Step}' since {UpdatedAt} with no workflow of its run (its " +
                    "request died mid-way); starting it",
                    record.Id, record.Run, record.Step, record.UpdatedAt);
                if (!await new DurableWorkflowStarter(client, settings, watch, record.Run,
                    StrandedDeployments.KubeconfigAlreadyReceived(record))
                        .TryStartAsync(record, cancellationToken))
                    log.LogInformation("Deployment {Id}: another replica started it first", record.Id);
                return;

            case StrandedDeployments.Action.RecordLost:
                var filed = false;
                var updated = await store.UpdateAsync(record.Id, current =>
                {
                    var next = StrandedDeployments.RecordLost(current, record, workflow.Status);
                    filed = next is not null;
                    return next;
                }, cancellationToken);
                if (!filed || updated is null) return;
                log.LogError(
                    "Deployment {Id} run {Run} said '{Status}' (step '{Step}') but its workflow is {Engine}: " +
                    "recorded failed ({Code})",
                    record.Id, record.Run, record.Status, record.Step, StrandedDeployments.Describe(workflow.Status),
                    updated.Failure?.Code);
                await events.AppendAsync(record.Id, [new DeploymentEvent
                {
                    Key = EventKeys.Step(record.Id, record.Run, Steps.WorkflowLost), Time = time.GetUtcNow(),
                    Phase = updated.Phase, Level = EventLevels.Error, Message = updated.Error!,
                }], cancellationToken);
                return;
        }
    }

    static async Task<StrandedDeployments.Workflow> WorkflowOfAsync(DurableTaskClient client, string instanceId,
        CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
        if (instance is null) return new(StrandedDeployments.Engine.Missing, null);
        if (WorkflowInstances.IsActive(instance)) return new(StrandedDeployments.Engine.Active, null);
        var status = instance.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Completed => StrandedDeployments.Engine.Completed,
            OrchestrationRuntimeStatus.Terminated => StrandedDeployments.Engine.Terminated,
            _ => StrandedDeployments.Engine.Failed,
        };
        return new(status, WorkflowInstances.RunOf(instance));
    }
}
