using Catalyst.Domain.Tofu;

namespace Catalyst.Domain.Tests.Tofu;

public class TofuRunTagTests
{
    static TofuRunTag Tag(string op, int run, string exec) => new(op, run, exec);

    [Theory]
    // A new execution of the same run: the earlier one is gone (its work item lapsed) — take over.
    [InlineData("apply", 1, "aaaaaaaa", "apply", 1, "bbbbbbbb", true)]
    // A newer run replaces an older one's apply.
    [InlineData("apply", 1, "aaaaaaaa", "apply", 2, "bbbbbbbb", true)]
    // A wipe's destroy overrides a running apply.
    [InlineData("apply", 2, "aaaaaaaa", "destroy", 2, "bbbbbbbb", true)]
    // A retried destroy replaces a destroy that died.
    [InlineData("destroy", 2, "aaaaaaaa", "destroy", 2, "bbbbbbbb", true)]
    // The same execution never takes over from itself.
    [InlineData("apply", 1, "aaaaaaaa", "apply", 1, "aaaaaaaa", false)]
    // A stale run never takes the lock from a newer one.
    [InlineData("apply", 2, "aaaaaaaa", "apply", 1, "bbbbbbbb", false)]
    // An apply never overtakes a wipe.
    [InlineData("destroy", 1, "aaaaaaaa", "apply", 1, "bbbbbbbb", false)]
    [InlineData("destroy", 1, "aaaaaaaa", "apply", 2, "bbbbbbbb", false)]
    public void WhoMayTakeTheLockAtOnce(string holderOp, int holderRun, string holderExec, string op, int run, string exec, bool expected) =>
        Assert.Equal(expected, TofuRunTag.MayTakeOver(Tag(holderOp, holderRun, holderExec), Tag(op, run, exec)));

    [Fact]
    public void UntaggedHoldersAndRequestersWaitForTheLease()
    {
        Assert.False(TofuRunTag.MayTakeOver(null, Tag("apply", 1, "bbbbbbbb")));
        Assert.False(TofuRunTag.MayTakeOver(Tag("apply", 1, "aaaaaaaa"), null));
    }

    [Fact]
    public void ATagRoundTripsThroughTheBackendQuery()
    {
        var tag = TofuRunTag.New(TofuRunTag.Apply, 3);
        var query = System.Web.HttpUtility.ParseQueryString(tag.Query);

        Assert.True(TofuRunTag.TryParse(query["op"], query["run"], query["exec"], out var parsed));
        Assert.Equal(tag, parsed);
    }

    [Theory]
    [InlineData(null, null, null, true, false)]
    [InlineData("apply", "1", "0123456789abcdef", true, true)]
    [InlineData("plan", "1", "0123456789abcdef", false, false)]
    [InlineData("apply", "-1", "0123456789abcdef", false, false)]
    [InlineData("apply", "1", "short", false, false)]
    [InlineData("apply", "1", "0123456789abcdef/../x", false, false)]
    [InlineData("apply", null, "0123456789abcdef", false, false)]
    public void MalformedTagsAreRefused(string? op, string? run, string? exec, bool valid, bool tagged)
    {
        Assert.Equal(valid, TofuRunTag.TryParse(op, run, exec, out var tag));
        Assert.Equal(tagged, tag is not null);
    }
}
