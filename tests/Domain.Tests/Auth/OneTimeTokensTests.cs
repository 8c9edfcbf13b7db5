using Catalyst.Domain.Auth;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Auth;

/// <summary>The jti store on Azurite (reference E.6; DESIGN §6): one first use, across instances and concurrent callers.</summary>
public class OneTimeTokensTests
{
    [Fact]
    public async Task ExactlyOneCallerSeesTheFirstUseAcrossInstances()
    {
        var blobs = new Azure.Storage.Blobs.BlobServiceClient((await AzuriteServer.Shared).ConnectionString);
        var container = "jti-test-" + Guid.NewGuid().ToString("N")[..8];
        var jti = Guid.NewGuid().ToString();

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => new OneTimeTokens(blobs, container).MarkAsync(jti)));
        Assert.Single(results, r => r);
        // A fresh instance (a restarted process) still knows it.
        Assert.False(await new OneTimeTokens(blobs, container).MarkAsync(jti));
        Assert.True(await new OneTimeTokens(blobs, container).MarkAsync("../../" + jti));
        await Assert.ThrowsAsync<ArgumentException>(() => new OneTimeTokens(blobs, container).MarkAsync(""));
    }
}
