using Catalyst.Domain.Deployments;

namespace Catalyst.Domain.Tests.Deployments;

// Issue 22: removed sizes and sizes a region does not offer are refused at POST, as the module refuses them at plan.
public class HetznerServerTypesTests
{
    static (string Message, string Field)? Validate(DeploymentRequest request) =>
        DeploymentValidator.Validate(request, TestRequests.Operator());

    [Theory]
    [InlineData("cx22")]
    [InlineData("cx32")]
    [InlineData("cpx31")]
    [InlineData("cpx11")]
    [InlineData("cx52")]
    public void Removed_control_plane_sizes_are_refused_on_the_control_plane_field(string size)
    {
        var problem = Validate(TestRequests.Valid() with { ControlPlaneSize = size });
        Assert.NotNull(problem);
        Assert.Equal("controlPlaneSize", problem.Value.Field);
        Assert.Contains("removed", problem.Value.Message);
    }

    [Fact]
    public void Removed_worker_size_is_refused_on_the_worker_field()
    {
        var problem = Validate(TestRequests.Valid() with { WorkerSize = "cx32", WorkerCount = 2 });
        Assert.Equal("workerSize", problem?.Field);
    }

    [Theory]
    [InlineData("cax21", "ash")]
    [InlineData("cx23", "sin")]
    [InlineData("cax41", "hil")]
    public void Eu_only_sizes_are_refused_outside_the_eu(string size, string region)
    {
        var problem = Validate(TestRequests.Valid() with { ControlPlaneSize = size, Region = region });
        Assert.Equal("controlPlaneSize", problem?.Field);
        Assert.Contains($"not offered in {region}", problem?.Message);
    }

    [Theory]
    [InlineData("cx23", "fsn1")]
    [InlineData("cax21", "hel1")]
    [InlineData("cpx32", "ash")]
    [InlineData("ccx13", "sin")]
    [InlineData("cpx62", "nbg1")]
    public void Current_sizes_pass_where_offered(string size, string region) =>
        Assert.Null(Validate(TestRequests.Valid() with { ControlPlaneSize = size, WorkerSize = size, Region = region }));

    [Fact]
    public void Worker_size_is_ignored_without_workers() =>
        Assert.Null(Validate(TestRequests.Valid() with { WorkerSize = "cx22", WorkerCount = 0 }));

    [Fact]
    public void Removed_list_is_cx_gen2_and_cpx_gen1() =>
        Assert.Equal(["cpx11", "cpx21", "cpx31", "cpx41", "cpx51", "cx11", "cx21", "cx22", "cx31", "cx32", "cx41", "cx42", "cx51", "cx52"], HetznerServerTypes.Removed.Order());

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("203.0.113.7/32")]
    [InlineData("203.0.113.0/24")]
    [InlineData("0.0.0.0/0")]
    [InlineData("2001:db8::/32")]
    [InlineData("2001:db8::1")]
    [InlineData("::/0")]
    public void Ssh_sources_the_provider_accepts_pass(string value) => Assert.Null(DeploymentValidator.SshSourceProblem(value));

    [Theory]
    [InlineData("203.0.113.7/24", "host bits set; write it as 203.0.113.0/24")]
    [InlineData("2001:db8::1/64", "host bits set; write it as 2001:db8::/64")]
    [InlineData("203.0.113.7/33", "no valid prefix length")]
    [InlineData("203.0.113.7/", "no valid prefix length")]
    [InlineData("1.2.3", "not an IP address")]
    [InlineData("2001:DB8::/32", "not an IP address")]
    [InlineData("example.com", "not an IP address")]
    public void Ssh_sources_the_provider_refuses_are_refused(string value, string expected) =>
        Assert.Contains(expected, DeploymentValidator.SshSourceProblem(value));
}
