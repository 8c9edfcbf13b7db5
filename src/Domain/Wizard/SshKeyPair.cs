using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Catalyst.Domain.Wizard;

/// <summary>
/// A fresh Ed25519 keypair for the Sovereign's break-glass SSH access (reference A.7), in the formats sshd and
/// Hetzner take: an <c>authorized_keys</c> line, an unencrypted <c>openssh-key-v1</c> private key and the
/// <c>SHA256:</c> fingerprint <c>ssh-keygen -lf</c> prints. .NET has no Ed25519, so BouncyCastle makes the key;
/// no library we can use writes the OpenSSH encodings, so they are written here from OpenSSH's PROTOCOL.key.
/// Nothing is kept: the caller returns it once and logs only the fingerprint.
/// </summary>
public sealed record SshKeyPair(string PublicKey, string PrivateKey, string Fingerprint)
{
    const string Algorithm = "ssh-ed25519";

    /// <summary>The comment is <c>catalyst@&lt;fqdn&gt;</c>, or <c>catalyst</c> without one, as the original.</summary>
    public static string Comment(string? fqdn) =>
        string.IsNullOrWhiteSpace(fqdn) ? "catalyst" : "catalyst@" + fqdn.Trim();

    /// <summary>The comment ends the authorized_keys line: anything but a host name could split or extend it.</summary>
    public static bool IsAcceptableFqdn(string? fqdn) =>
        string.IsNullOrWhiteSpace(fqdn)
            || fqdn.Trim() is { Length: <= 253 } f && f.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-');

    public static SshKeyPair Generate(string? fqdn)
    {
        var comment = Comment(fqdn);
        var privateKey = new Ed25519PrivateKeyParameters(new SecureRandom());
        var seed = privateKey.GetEncoded();
        var publicKey = privateKey.GeneratePublicKey().GetEncoded();
        try
        {
            var blob = PublicBlob(publicKey);
            return new SshKeyPair($"{Algorithm} {Convert.ToBase64String(blob)} {comment}",
                PrivateKeyFile(seed, publicKey, blob, comment), FingerprintOf(blob));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>RFC 4253 wire form: string "ssh-ed25519", string key(32).</summary>
    public static byte[] PublicBlob(byte[] publicKey) => Strings(Encoding.ASCII.GetBytes(Algorithm), publicKey);

    /// <summary>SHA-256 of the public blob, unpadded base64.</summary>
    public static string FingerprintOf(byte[] publicBlob) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(publicBlob)).TrimEnd('=');

    static string PrivateKeyFile(byte[] seed, byte[] publicKey, byte[] publicBlob, string comment)
    {
        var check = RandomNumberGenerator.GetBytes(4);
        using var inner = new MemoryStream();
        inner.Write(check);
        inner.Write(check); // the same check word twice: how a reader knows decryption (here: none) worked
        WriteString(inner, Encoding.ASCII.GetBytes(Algorithm));
        WriteString(inner, publicKey);
        WriteString(inner, [.. seed, .. publicKey]); // OpenSSH stores seed || public key (64 bytes)
        WriteString(inner, Encoding.UTF8.GetBytes(comment));
        for (byte pad = 1; inner.Length % 8 != 0; pad++) inner.WriteByte(pad); // block size 8 for cipher "none"

        using var file = new MemoryStream();
        file.Write("openssh-key-v1\0"u8);
        WriteString(file, "none"u8.ToArray()); // cipher
        WriteString(file, "none"u8.ToArray()); // kdf
        WriteString(file, []); // kdf options
        WriteUInt32(file, 1); // one key
        WriteString(file, publicBlob);
        var section = inner.ToArray();
        WriteString(file, section);
        CryptographicOperations.ZeroMemory(section);

        var base64 = Convert.ToBase64String(file.ToArray());
        var text = new StringBuilder("-----BEGIN OPENSSH PRIVATE KEY-----\n");
        for (var i = 0; i < base64.Length; i += 70)
            text.Append(base64.AsSpan(i, Math.Min(70, base64.Length - i))).Append('\n');
        return text.Append("-----END OPENSSH PRIVATE KEY-----\n").ToString();
    }

    static byte[] Strings(params byte[][] parts)
    {
        using var stream = new MemoryStream();
        foreach (var part in parts) WriteString(stream, part);
        return stream.ToArray();
    }

    static void WriteString(Stream stream, byte[] value)
    {
        WriteUInt32(stream, (uint)value.Length);
        stream.Write(value);
    }

    static void WriteUInt32(Stream stream, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        stream.Write(bytes);
    }
}
