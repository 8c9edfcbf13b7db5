using Catalyst.Domain.Tofu;

namespace Catalyst.Domain.Tests.Tofu;

public class TofuFailureActorTests
{
    [Theory]
    [InlineData("Error: creating server: token is invalid (unauthorized)", "user")]
    [InlineData("Error: resource_limit_exceeded: server limit reached for project", "user")]
    [InlineData("Error: Invalid value for variable \"region\"", "operator")]
    [InlineData("Error: Failed to query available provider packages", "operator")]
    public void WhoMustAct(string stderr, string actor) =>
        Assert.Equal(actor, TofuFailures.ActorFor(new TofuException("tofu apply", "tofu apply: exit status 1", transient: false, stderr)));

    [Fact]
    public void CodeNamesTheCommand() =>
        Assert.Equal("tofu-apply-failed", TofuFailures.CodeFor(new TofuException("tofu apply", "x", transient: false)));
}
