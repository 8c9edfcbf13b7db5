using System.Text;
using Catalyst.Domain.ClusterCache;
using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Tests.ClusterCache;

public class BoundedReadsTests
{
    /// <summary>Gives its bytes a few at a time (as a network does), then, if asked, an endless run of 'a' without a newline.</summary>
    sealed class Trickle(byte[] content, int step, bool endless = false) : Stream
    {
        int position;
        public long Served;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, step);
            if (position >= content.Length)
            {
                if (!endless) return 0;
                Array.Fill(buffer, (byte)'a', offset, n);
            }
            else
            {
                n = Math.Min(n, content.Length - position);
                Array.Copy(content, position, buffer, offset, n);
                position += n;
            }
            Served += n;
            return n;
        }
    }

    static async Task<List<string>> LinesAsync(BoundedLineReader reader)
    {
        var lines = new List<string>();
        while (await reader.ReadLineAsync(default) is { } line) lines.Add(Encoding.UTF8.GetString(line.Span));
        return lines;
    }

    [Fact]
    public async Task LinesSplitAcrossReadsComeWholeWithCrLfAndTheLastUnterminatedLine()
    {
        var text = "first\r\n\nsecond line, a bit longer than the buffer\nthird";
        foreach (var step in new[] { 1, 3, 7, 100 })
            Assert.Equal(["first", "", "second line, a bit longer than the buffer", "third"],
                await LinesAsync(new BoundedLineReader(new Trickle(Encoding.UTF8.GetBytes(text), step), maxLineBytes: 64, initialBuffer: 4)));
    }

    [Fact]
    public async Task ALineOfExactlyTheLimitReadsAndOneByteMoreIsRefused()
    {
        var ok = new string('x', 32);
        Assert.Equal([ok, "y"], await LinesAsync(new BoundedLineReader(new Trickle(Encoding.UTF8.GetBytes(ok + "\ny\n"), 5), 32, 4)));
        var e = await Assert.ThrowsAsync<LimitExceededException>(() => LinesAsync(new BoundedLineReader(new Trickle(Encoding.UTF8.GetBytes(ok + "x\n"), 5), 32, 4)));
        Assert.Contains("CATALYST_K8SCACHE_MAX_WATCH_LINE_BYTES", e.Message);
    }

    [Fact]
    public async Task AnEndlessLineIsRefusedAfterReadingLittleMoreThanTheLimit()
    {
        var source = new Trickle(Encoding.UTF8.GetBytes("{\"type\":\"ADDED\"}\n"), 8192, endless: true);
        var reader = new BoundedLineReader(source, 100_000);
        Assert.Equal("{\"type\":\"ADDED\"}", Encoding.UTF8.GetString((await reader.ReadLineAsync(default))!.Value.Span));
        await Assert.ThrowsAsync<LimitExceededException>(async () => await reader.ReadLineAsync(default));
        Assert.InRange(source.Served, 100_000, 100_000 + 2 * 8192);
    }

    [Fact]
    public async Task ALimitedStreamGivesUpToItsLimitAndRefusesMore()
    {
        var bytes = Encoding.UTF8.GetBytes(new string('z', 1000));
        using (var exact = new LimitedReadStream(new MemoryStream(bytes), 1000, "a page"))
            Assert.Equal(1000, (await new StreamReader(exact).ReadToEndAsync()).Length);
        using var over = new LimitedReadStream(new MemoryStream(bytes), 999, "a page");
        Assert.Equal("a page is larger than 999 bytes", (await Assert.ThrowsAsync<LimitExceededException>(() => new StreamReader(over).ReadToEndAsync())).Message);

        var endless = new Trickle([], 4096, endless: true);
        Assert.Equal(new string('a', 10_000), await LimitedReadStream.PrefixAsync(endless, 10_000, default));
        Assert.InRange(endless.Served, 10_000, 10_000);
    }

    [Fact]
    public void LimitSettingsHaveDefaultsAndAMalformedOneIsNamed()
    {
        var defaults = ClusterCacheOptions.From(_ => null);
        Assert.Equal((500, 64 << 20, 4 << 20, 64 << 10, 50_000, 10_000, 200),
            (defaults.ListPageSize, defaults.MaxListPageBytes, defaults.MaxWatchLineBytes, defaults.MaxErrorBodyBytes, defaults.MaxObjectsPerKind, defaults.SarCacheMax, defaults.MaxSubscribersPerCluster));
        foreach (var name in new[] { "CATALYST_K8SCACHE_MAX_WATCH_LINE_BYTES", "CATALYST_K8SCACHE_MAX_OBJECTS_PER_KIND", "CATALYST_K8SCACHE_SAR_CACHE_MAX",
                     "CATALYST_K8SCACHE_MAX_ERROR_BODY_BYTES", "CATALYST_K8SCACHE_MAX_LIST_PAGE_BYTES", "CATALYST_K8SCACHE_LIST_PAGE_SIZE", "CATALYST_K8SCACHE_MAX_SUBSCRIBERS_PER_CLUSTER" })
        {
            Assert.Contains(name, Assert.Throws<SettingException>(() => ClusterCacheOptions.From(k => k == name ? "4MiB" : null)).Message);
            Assert.Contains(name, Assert.Throws<SettingException>(() => ClusterCacheOptions.From(k => k == name ? "0" : null)).Message);
        }
        Assert.Equal(2048, ClusterCacheOptions.From(k => k == "CATALYST_K8SCACHE_MAX_WATCH_LINE_BYTES" ? "2048" : null).MaxWatchLineBytes);
    }
}
