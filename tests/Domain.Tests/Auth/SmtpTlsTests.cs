using Catalyst.Domain.Auth;
using MailKit.Security;

namespace Catalyst.Domain.Tests.Auth;

public class SmtpTlsTests
{
    [Theory]
    [InlineData("stalwart-web.stalwart.svc.cluster.local", 587, SecureSocketOptions.StartTls)]
    [InlineData("smtp.example.com", 25, SecureSocketOptions.StartTls)]
    [InlineData("smtp.example.com", 2525, SecureSocketOptions.StartTls)]
    [InlineData("smtp.example.com", 465, SecureSocketOptions.SslOnConnect)]
    [InlineData("10.0.0.5", 587, SecureSocketOptions.StartTls)]
    [InlineData("localhost.example.com", 587, SecureSocketOptions.StartTls)]
    [InlineData("127.0.0.1", 587, SecureSocketOptions.StartTlsWhenAvailable)]
    [InlineData("127.8.9.10", 25, SecureSocketOptions.StartTlsWhenAvailable)]
    [InlineData("::1", 2525, SecureSocketOptions.StartTlsWhenAvailable)]
    [InlineData("LOCALHOST", 587, SecureSocketOptions.StartTlsWhenAvailable)]
    [InlineData("localhost", 465, SecureSocketOptions.SslOnConnect)]
    public void TlsIsRequiredUnlessTheHostIsLoopback(string host, int port, SecureSocketOptions expected) =>
        Assert.Equal(expected, SmtpMagicLinkMailer.SocketOptions(host, port));
}
