using Catalyst.Functions.Orchestrations;

namespace Catalyst.Functions.Tests.Orchestrations;

public class OrchestrationVersionTests
{
    [Theory]
    [InlineData("", "1.0", true)]      // started before versioning: replays as 1.0
    [InlineData(null, "1.1", false)]
    [InlineData("1.0", "1.0", true)]
    [InlineData("1.0", "1.1", false)]
    [InlineData("1.10", "1.9", true)]  // numeric, not text: the engine compares the same way
    public void ComparesAsVersions(string? instance, string minimum, bool expected) =>
        Assert.Equal(expected, OrchestrationVersion.IsAtLeast(instance, minimum));

    [Fact]
    public void CurrentIsMajorMinorSoTheEngineComparesItNumerically() =>
        Assert.True(Version.TryParse(OrchestrationVersion.Current, out _));
}
