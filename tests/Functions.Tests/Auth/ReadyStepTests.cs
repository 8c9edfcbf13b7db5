using Catalyst.Domain.Deployments;
using Catalyst.Domain.Flux;

using Catalyst.Functions.Activities;
using Catalyst.Functions.Orchestrations;
using Microsoft.DurableTask;
using Moq;

namespace Catalyst.Functions.Tests.Auth;

/// <summary>ProvisionSovereign asks for the handover right after it records "ready", and only then (mocked context, DESIGN §8).</summary>
public class ReadyStepTests
{
    /// <summary>One poll of the watch sees a single blueprint in <paramref name="readyStatus"/>, which ends the watch.</summary>
    static (Mock<TaskOrchestrationContext> Context, List<string> Calls) Context(string readyStatus, string? reason = null)
    {
        var calls = new List<string>();
        var context = new Mock<TaskOrchestrationContext>();
        context.Setup(c => c.CurrentUtcDateTime).Returns(DateTime.UtcNow);
        context.Setup(c => c.CallActivityAsync<HelmReleaseListing>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .ReturnsAsync(new HelmReleaseListing(HelmReleaseListing.Listed, [new HelmReleaseSnapshot("bp-cilium", readyStatus, reason, null)], null));
        context.Setup(c => c.CallActivityAsync<bool>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Callback<TaskName, object?, TaskOptions?>((name, input, _) => calls.Add(input switch
            {
                ProgressUpdate p => $"{name.Name}:{p.Step}",
                HandoverInput h => $"{name.Name}:{h.DeploymentId}/{h.Run}",
                _ => name.Name,
            }))
            .ReturnsAsync(true);
        return (context, calls);
    }

    static readonly ProvisionInput Input = new("0123456789abcdef", 3, TimeSpan.FromMinutes(15),
        new WatchSettings(TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(15), 1, TimeSpan.FromSeconds(10)), Pool: null,
        Watching: new WatchState { StartedAt = DateTime.UtcNow });

    [Fact]
    public async Task ReadyThenMintHandover()
    {
        var (context, calls) = Context("True");
        Assert.Equal(DeploymentStatuses.Ready, await new ProvisionSovereignOrchestrator().RunAsync(context.Object, Input));
        Assert.Equal(["RecordProgress:ready", "MintHandover:0123456789abcdef/3"], calls.TakeLast(2));
    }

    [Fact]
    public async Task AFailedWatchMintsNothing()
    {
        var (context, calls) = Context("False", "InstallFailed");
        Assert.Equal(DeploymentStatuses.Failed, await new ProvisionSovereignOrchestrator().RunAsync(context.Object, Input));
        Assert.DoesNotContain(calls, c => c.StartsWith("MintHandover", StringComparison.Ordinal));
    }
}
