using System.Text;

namespace Catalyst.Domain.ClusterCache;

/// <summary>A tenant's API server sent more than a limit allows;
/// the informer stops the kind instead of buffering it.</summary>
public sealed class LimitExceededException(string message) : Exception(message);

/// <summary>
/// Reads newline-separated lines (a watch stream) into one buffer that never grows past the line limit: a line longer
/// than <c>maxLineBytes</c> is refused as soon as that many bytes are in hand, without reading the rest of it. The
/// returned line is valid until the next call.
/// </summary>
public sealed class BoundedLineReader(Stream stream, int maxLineBytes, int initialBuffer = 16 * 1024)
{
    byte[] buffer = new byte[Math.Min(initialBuffer, maxLineBytes + 1)];
    int start, end, scanned;

    /// <summary>The next line without its <c>\n</c> (or <c>\r\n</c>); null at the end of the stream.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var at = Array.IndexOf(buffer, (byte)'\n', start + scanned, end - start - scanned);
            if (at >= 0)
            {
                var line = buffer.AsMemory(start, at - start);
                start = at + 1;
                scanned = 0;
                return line.Length > 0 && line.Span[^1] == '\r' ? line[..^1] : line;
            }
            scanned = end - start;
            if (scanned > maxLineBytes)
                throw new LimitExceededException(
                    $"a watch line is longer than {maxLineBytes} bytes (CATALYST_K8SCACHE_MAX_WATCH_LINE_BYTES)");
            if (end == buffer.Length)
            {
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                else
                {
                    // One byte past the limit is enough to know the line is too long.
                    Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxLineBytes + 1L));
                }
            }
            var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
            if (read == 0)
            {
                if (end == start) return null;
                var last = buffer.AsMemory(start, end - start);
                start = end;
                scanned = 0;
                return last;
            }
            end += read;
        }
    }
}

/// <summary>A read-only view of a stream that refuses to give more
/// than <c>limit</c> bytes (a list page, an error body).</summary>
public sealed class LimitedReadStream(Stream inner, long limit, string what) : Stream
{
    long total;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => total; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, Room(count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer,
        CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer[..Room(buffer.Length)], cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Asks for one byte more than the limit allows, so a body of exactly the limit still reads.</summary>
    int Room(int count) => (int)Math.Min(count, limit - total + 1);

    int Count(int read)
    {
        total += read;
        if (total > limit) throw new LimitExceededException($"{what} is larger than {limit} bytes");
        return read;
    }

    /// <summary>At most <paramref name="max"/> bytes of
    /// <paramref name="stream"/> as text; the rest is not read.</summary>
    public static async Task<string> PrefixAsync(Stream stream, int max, CancellationToken cancellationToken)
    {
        var buffer = new byte[max];
        var filled = 0;
        while (filled < max && await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken) is var read and > 0)
            filled += read;
        return Encoding.UTF8.GetString(buffer, 0, filled);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
