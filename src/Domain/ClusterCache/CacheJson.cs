using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Catalyst.Domain.ClusterCache;

/// <summary>The wire shapes of the data plane (reference D.9), written straight from the cached bytes.</summary>
public static class CacheJson
{
    /// <summary><c>{"kind","cluster","items":[…],"continue"?,"ageSeconds"}</c>.</summary>
    public static byte[] ListResponse(string kind, string cluster, ListPage page)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", kind);
            writer.WriteString("cluster", cluster);
            writer.WriteStartArray("items");
            foreach (var item in page.Items) writer.WriteRawValue(item.Json, skipInputValidation: true);
            writer.WriteEndArray();
            if (page.Continue is not null) writer.WriteString("continue", page.Continue);
            writer.WriteNumber("ageSeconds", Math.Round(page.Age.TotalSeconds, 2));
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The age header value: seconds with two decimals.</summary>
    public static string StaleSeconds(TimeSpan age) => age.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>One SSE frame: <c>data: {"cluster","kind","type","object","at"}</c> and a blank line.</summary>
    public static byte[] EventFrame(CacheEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(e.Object.Json.Length + 160);
        buffer.Write("data: "u8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("cluster", e.Cluster);
            writer.WriteString("kind", e.Kind);
            writer.WriteString("type", e.Type);
            writer.WritePropertyName("object");
            writer.WriteRawValue(e.Object.Json, skipInputValidation: true);
            writer.WriteString("at", e.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }
        buffer.Write("\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Comment(string text) => Encoding.UTF8.GetBytes($": {text}\n\n");
}
