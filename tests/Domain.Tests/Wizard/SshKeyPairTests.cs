using System.Buffers.Binary;
using System.Text;
using Catalyst.Domain.Wizard;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Catalyst.Domain.Tests.Wizard;

/// <summary>The keypair's formats, checked by reading them back field by field (reference A.7, F "sshkey_test").</summary>
public class SshKeyPairTests
{
    [Fact]
    public void PublicKeyIsAnAuthorizedKeysLine()
    {
        var pair = SshKeyPair.Generate("omantel.omani.works");
        var parts = pair.PublicKey.Split(' ');
        Assert.Equal(3, parts.Length);
        Assert.Equal("ssh-ed25519", parts[0]);
        Assert.StartsWith("AAAAC3NzaC1lZDI1NTE5", parts[1]); // base64 of the length-prefixed "ssh-ed25519"
        Assert.Equal("catalyst@omantel.omani.works", parts[2]);
        var blob = Convert.FromBase64String(parts[1]);
        var reader = new Reader(blob);
        Assert.Equal("ssh-ed25519", reader.Text());
        Assert.Equal(32, reader.Bytes().Length);
        Assert.True(reader.AtEnd);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void DefaultCommentIsCatalyst(string? fqdn) => Assert.EndsWith(" catalyst", SshKeyPair.Generate(fqdn).PublicKey);

    [Fact]
    public void FingerprintIsTheSha256OfThePublicBlob()
    {
        var pair = SshKeyPair.Generate("x.omani.works");
        var blob = Convert.FromBase64String(pair.PublicKey.Split(' ')[1]);
        Assert.Equal("SHA256:" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(blob)).TrimEnd('='), pair.Fingerprint);
        Assert.Matches("^SHA256:[A-Za-z0-9+/]{43}$", pair.Fingerprint);
    }

    [Fact]
    public void PrivateKeyIsAnUnencryptedOpenSshKeyWhoseSeedGivesThePublicKey()
    {
        var pair = SshKeyPair.Generate("omantel.omani.works");
        var lines = pair.PrivateKey.TrimEnd('\n').Split('\n');
        Assert.Equal("-----BEGIN OPENSSH PRIVATE KEY-----", lines[0]);
        Assert.Equal("-----END OPENSSH PRIVATE KEY-----", lines[^1]);
        Assert.All(lines[1..^1], l => Assert.InRange(l.Length, 1, 70));
        var file = new Reader(Convert.FromBase64String(string.Concat(lines[1..^1])));

        Assert.Equal("openssh-key-v1\0", Encoding.ASCII.GetString(file.Raw(15)));
        Assert.Equal("none", file.Text());
        Assert.Equal("none", file.Text());
        Assert.Empty(file.Bytes());
        Assert.Equal(1u, file.UInt32());
        var publicBlob = file.Bytes();
        Assert.Equal(Convert.FromBase64String(pair.PublicKey.Split(' ')[1]), publicBlob);
        var section = file.Bytes();
        Assert.True(file.AtEnd);
        Assert.Equal(0, section.Length % 8);

        var inner = new Reader(section);
        Assert.Equal(inner.UInt32(), inner.UInt32()); // check words match
        Assert.Equal("ssh-ed25519", inner.Text());
        var publicKey = inner.Bytes();
        var privateKey = inner.Bytes();
        Assert.Equal("catalyst@omantel.omani.works", inner.Text());
        var padding = inner.Rest();
        Assert.Equal(Enumerable.Range(1, padding.Length).Select(i => (byte)i), padding);

        Assert.Equal(64, privateKey.Length);
        Assert.Equal(publicKey, privateKey[32..]);
        // Re-derive the public key from the seed in the file, independently of the generator.
        var seed = new Ed25519PrivateKeyParameters(privateKey[..32]);
        Assert.Equal(publicKey, seed.GeneratePublicKey().GetEncoded());
        // And the pair works: a signature by the seed verifies under the published key.
        var signer = new Ed25519Signer();
        signer.Init(true, seed);
        var message = "proof"u8.ToArray();
        signer.BlockUpdate(message, 0, message.Length);
        var signature = signer.GenerateSignature();
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(new Reader(publicBlob).Skip().Bytes()));
        verifier.BlockUpdate(message, 0, message.Length);
        Assert.True(verifier.VerifySignature(signature));
    }

    [Fact]
    public void TwoCallsGiveDifferentKeys()
    {
        var (a, b) = (SshKeyPair.Generate("x.omani.works"), SshKeyPair.Generate("x.omani.works"));
        Assert.NotEqual(a.PublicKey, b.PublicKey);
        Assert.NotEqual(a.PrivateKey, b.PrivateKey);
        Assert.NotEqual(a.Fingerprint, b.Fingerprint);
    }

    [Theory]
    [InlineData("omantel.omani.works", true)]
    [InlineData(null, true)]
    [InlineData("a b", false)]
    [InlineData("x\nssh-ed25519 AAAA attacker", false)]
    public void OnlyHostNamesBecomeComments(string? fqdn, bool ok) => Assert.Equal(ok, SshKeyPair.IsAcceptableFqdn(fqdn));

    /// <summary>Reads SSH wire encoding (RFC 4251): uint32 and length-prefixed strings.</summary>
    sealed class Reader(byte[] data)
    {
        int at;
        public bool AtEnd => at == data.Length;
        public byte[] Raw(int n) { var r = data[at..(at + n)]; at += n; return r; }
        public uint UInt32() => BinaryPrimitives.ReadUInt32BigEndian(Raw(4));
        public byte[] Bytes() => Raw((int)UInt32());
        public string Text() => Encoding.UTF8.GetString(Bytes());
        public byte[] Rest() => Raw(data.Length - at);
        public Reader Skip() { Bytes(); return this; }
    }
}
