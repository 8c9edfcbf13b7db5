using System.Net;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Catalyst.Domain.Auth;

public interface IMagicLinkMailer
{
    Task SendAsync(string to, string link, CancellationToken cancellationToken);
}

/// <summary>
/// Sends the sign-in link over SMTP with MailKit (reference E.4): the original's message, From "OpenOva Platform".
/// The link is a credential, so it travels over TLS (<see cref="SocketOptions"/>) unless the server is on loopback (a
/// local relay or the tests' server). Credentials are used only when both user and password are set.
/// </summary>
public sealed class SmtpMagicLinkMailer(SmtpSettings settings) : IMagicLinkMailer
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task SendAsync(string to, string link, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("OpenOva Platform", settings.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "Your OpenOva sign-in link";
        message.Body = new TextPart("plain")
        {
            Text = $"Click the link below to sign in to OpenOva.\r\n\r\n{link}\r\n\r\nThis link expires in 15 " +
                "minutes.\r\nIf you did not request this, you can safely ignore this email.",
        };

        using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(Timeout);
        try
        {
            await client.ConnectAsync(settings.Host, settings.Port,
                SocketOptions(settings.Host, settings.Port), cts.Token);
            if (settings.User is { Length: > 0 } user && settings.Password is { Length: > 0 } password)
            {
                if (!client.IsSecure && !IsLoopback(settings.Host))
                    throw new MagicLinkMailException(
                        $"SMTP server {settings.Host}:{settings.Port} offers no TLS; " +
                        "refusing to send credentials in clear text");
                await client.AuthenticateAsync(new NetworkCredential(user, password), cts.Token);
            }
            await client.SendAsync(message, cts.Token);
            await client.DisconnectAsync(quit: true, cts.Token);
        }
        catch (Exception e)
            when (e is not MagicLinkMailException
                and (IOException or System.Net.Sockets.SocketException or OperationCanceledException
                    or SmtpCommandException or SmtpProtocolException or AuthenticationException
                    or SslHandshakeException or ServiceNotConnectedException))
        {
            // MailKit's messages name the server and the SMTP reply, never the password.
            throw new MagicLinkMailException(
                $"SMTP {settings.Host}:{settings.Port}: {e.GetType().Name}: {e.Message.Split('\n')[0]}", e);
        }
    }

    /// <summary>
    /// Implicit TLS on 465; otherwise STARTTLS, required (the send fails when the server does not offer it, or its
    /// certificate does not verify) unless the host is loopback, where it is used when offered.
    /// </summary>
    public static SecureSocketOptions SocketOptions(string host, int port) =>
        port == 465 ? SecureSocketOptions.SslOnConnect
        : IsLoopback(host) ? SecureSocketOptions.StartTlsWhenAvailable
        : SecureSocketOptions.StartTls;

    /// <summary>"localhost", 127.0.0.0/8 or ::1 (an IPv4-mapped loopback too); names are not resolved, so a DNS answer
    /// cannot make a host loopback.</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
}

public sealed class MagicLinkMailException(string message, Exception? inner = null) : Exception(message, inner);
