using Catalyst.Domain.Auth;
using Catalyst.Testing;

namespace Catalyst.Domain.Tests.Auth;

public class SessionRevocationsTests
{
    [Fact]
    public void ATokenIsNamedByItsJtiOrElseByItsWholeText()
    {
        var a = TestJwts.None(new { sub = "a", jti = "j-1", exp = TestJwts.Now + 60 });
        var sameJti = TestJwts.None(new { sub = "b", jti = "j-1", exp = TestJwts.Now + 120 });
        Assert.Equal(SessionRevocations.BlobName(a), SessionRevocations.BlobName(sameJti));
        Assert.NotEqual(SessionRevocations.BlobName(a), SessionRevocations.BlobName(TestJwts.None(new { sub = "a", jti = "j-2", exp = TestJwts.Now + 60 })));

        var noJti = TestJwts.None(new { sub = "a", exp = TestJwts.Now + 60 });
        Assert.Equal(SessionRevocations.BlobName(noJti), SessionRevocations.BlobName(noJti));
        Assert.NotEqual(SessionRevocations.BlobName(noJti), SessionRevocations.BlobName(TestJwts.None(new { sub = "b", exp = TestJwts.Now + 60 })));
        Assert.Matches("^[0-9a-f]{64}$", SessionRevocations.BlobName("not a jwt"));
    }
}
