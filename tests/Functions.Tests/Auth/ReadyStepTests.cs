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
    static (Mock<TaskOrchestrationContext> Context, List<string> Calls) Context(WatchResult watch)
    {
        var calls = new List<string>();
        var context = new Mock<TaskOrchestrationContext>();
        context.Setup(c => c.CurrentUtcDateTime).Returns(DateTime.UtcNow);
        context.Setup(c => c.CallSubOrchestratorAsync<WatchResult>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .ReturnsAsync(watch);
        context.Setup(c => c.CallActivityAsync<bool>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Callback<TaskName, object?, TaskOptions?>((name, input, _) => calls.Add(input is ProgressUpdate p ? $"{name.Name}:{p.Step}" : $"{name.Name}:{((HandoverInput)input!).DeploymentId}/{((HandoverInput)input).Run}"))
            .ReturnsAsync(true);
        return (context, calls);
    }

    static readonly ProvisionInput Input = new("0123456789abcdef", 3, TimeSpan.FromMinutes(15),
        new WatchSettings(TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(15), 1, TimeSpan.FromSeconds(10)), KubeconfigAlreadyReceived: true);

    [Fact]
    public async Task ReadyThenMintHandover()
    {
        var (context, calls) = Context(new WatchResult("ready", DeploymentStatuses.Ready, null));
        Assert.Equal(DeploymentStatuses.Ready, await new ProvisionSovereignOrchestrator().RunAsync(context.Object, Input));
        Assert.Equal(["RecordProgress:ready", "MintHandover:0123456789abcdef/3"], calls);
    }

    [Fact]
    public async Task AFailedWatchMintsNothing()
    {
        var (context, calls) = Context(new WatchResult("failed", DeploymentStatuses.Failed, "bp-cilium failed"));
        Assert.Equal(DeploymentStatuses.Failed, await new ProvisionSovereignOrchestrator().RunAsync(context.Object, Input));
        Assert.DoesNotContain(calls, c => c.StartsWith("MintHandover", StringComparison.Ordinal));
    }
}
