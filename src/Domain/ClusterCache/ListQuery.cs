using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// A list request (reference D.9): namespace, label and field selectors, <c>limit</c> (default 500, below 1 means
/// 500, at most 5000) and <c>continue</c>, the base64url of the offset into the sorted answer.
/// </summary>
public sealed record ListQuery(string? Namespace, LabelSelector Labels, FieldSelector Fields, int Limit, int Offset)
{
    public const int DefaultLimit = 500, MaxLimit = 5000;

    /// <summary>Throws <see cref="SelectorException"/> naming which parameter is wrong.</summary>
    public static ListQuery Parse(string? ns, string? labelSelector, string? fieldSelector, string? limit,
        string? continueToken)
    {
        LabelSelector labels;
        try { labels = LabelSelector.Parse(labelSelector); }
        catch (SelectorException e) { throw new SelectorException($"bad labelSelector: {e.Message}"); }
        FieldSelector fields;
        try { fields = FieldSelector.Parse(fieldSelector); }
        catch (SelectorException e) { throw new SelectorException($"bad fieldSelector: {e.Message}"); }
        var size = int.TryParse(limit, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
            : DefaultLimit;
        size = size < 1 ? DefaultLimit : Math.Min(size, MaxLimit);
        return new ListQuery(string.IsNullOrEmpty(ns) ? null : ns, labels, fields, size, DecodeContinue(continueToken));
    }

    public bool Matches(CachedObject item) =>
        (Namespace is null || item.Namespace == Namespace) && Labels.Matches(item) && Fields.Matches(item);

    public static string EncodeContinue(int offset) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(offset.ToString(CultureInfo.InvariantCulture)));

    static int DecodeContinue(string? token)
    {
        if (string.IsNullOrEmpty(token)) return 0;
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(token));
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)) return offset;
        }
        catch (FormatException) { }
        throw new SelectorException("bad continue token");
    }
}

public sealed record ListPage(IReadOnlyList<CachedObject> Items, string? Continue, TimeSpan Age);
