using Microsoft.AspNetCore.Http;

namespace Catalyst.Functions.Http;

/// <summary>
/// The one body reader: reads a request body up to a cap, so an oversized body is refused and never a memory problem
/// (the wizard, registrar, postback and tofu state endpoints all read through it).
/// </summary>
public static class RequestBody
{
    /// <summary>The wizard's small JSON bodies; far above anything legitimate.</summary>
    public const int DefaultCap = 64 * 1024;

    /// <summary>The bytes, or null when the body is longer than <paramref name="cap"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long cap, CancellationToken cancellationToken)
    {
        if (request.ContentLength > cap) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > cap) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
