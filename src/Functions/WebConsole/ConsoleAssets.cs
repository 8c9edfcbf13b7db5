using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Catalyst.Functions.WebConsole;

/// <summary>
/// The web console's files (issue 18), embedded in this assembly from <c>WebConsole/wwwroot</c> and given
/// content-hashed names once, when the app starts: <c>app.js</c> is served as <c>/assets/app.1a2b3c4d5e.js</c>. A
/// module's import of a sibling (<c>from './api.js'</c>) is rewritten to the sibling's hashed name before the module's
/// own hash is taken, so a change to any file renames it and every file that imports it, and browsers may cache each
/// name forever. There is no build step and no Node at run time: the files are plain ES modules and CSS.
/// </summary>
public sealed partial class ConsoleAssets
{
    const string ResourcePrefix = "Catalyst.Functions.WebConsole.wwwroot.";

    /// <summary>One servable file: its bytes, content type and ETag (the content hash).</summary>
    public sealed record Asset(string Name, byte[] Bytes, string ContentType, string ETag);

    readonly Dictionary<string, Asset> byHashedName = new(StringComparer.Ordinal);

    /// <summary>index.html with its asset references rewritten to the hashed names.</summary>
    public Asset Index { get; }

    /// <summary>Logical name (<c>app.js</c>) → hashed name (<c>app.1a2b3c4d5e.js</c>).</summary>
    public IReadOnlyDictionary<string, string> HashedNames { get; }

    public ConsoleAssets() : this(ReadEmbedded()) { }

    /// <param name="files">Logical file name → content;
    /// <c>index.html</c> is the page, everything else an asset.</param>
    public ConsoleAssets(IReadOnlyDictionary<string, byte[]> files)
    {
        if (!files.TryGetValue("index.html", out var page))
            throw new InvalidOperationException("the console has no index.html");
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = files.Keys.Where(n => n != "index.html").ToHashSet(StringComparer.Ordinal);
        // Hash leaves first: a file is hashed once every sibling it imports has its name. Imports form no cycle.
        while (pending.Count > 0)
        {
            var ready = pending.Where(n => ImportsOf(files[n]).All(names.ContainsKey))
                .OrderBy(n => n, StringComparer.Ordinal).ToList();
            if (ready.Count == 0)
                throw new InvalidOperationException(
                    $"console modules import each other in a cycle, or a missing file: {string.Join(", ", pending)}");
            foreach (var name in ready)
            {
                var bytes = RewriteImports(files[name], names);
                var hash = Hash(bytes);
                var dot = name.LastIndexOf('.');
                var hashed = $"{name[..dot]}.{hash}{name[dot..]}";
                names[name] = hashed;
                byHashedName[hashed] = new Asset(hashed, bytes, ContentTypeOf(name), $"\"{hash}\"");
                pending.Remove(name);
            }
        }
        HashedNames = names;
        var html = Encoding.UTF8.GetString(page);
        foreach (var (logical, hashed) in names)
            html = html.Replace($"/assets/{logical}\"", $"/assets/{hashed}\"", StringComparison.Ordinal);
        var indexBytes = Encoding.UTF8.GetBytes(html);
        Index = new Asset("index.html", indexBytes, "text/html; charset=utf-8", $"\"{Hash(indexBytes)}\"");
    }

    readonly System.Collections.Concurrent.ConcurrentDictionary<string, Asset> pages = new(StringComparer.Ordinal);

    /// <summary>
    /// The page, telling the script the sign-in mode (<c>off</c> or <c>session</c>) in a meta tag, so with sign-in off
    /// it never asks <c>/whoami</c> for a session that cannot exist (a 401 the browser would log as an error).
    /// </summary>
    public Asset IndexFor(string authMode) => pages.GetOrAdd(authMode, mode =>
    {
        var html = Encoding.UTF8.GetString(Index.Bytes).Replace("<meta name=\"catalyst-auth\" content=\"\">",
            $"<meta name=\"catalyst-auth\" content=\"{System.Net.WebUtility.HtmlEncode(mode)}\">",
            StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(html);
        return Index with { Bytes = bytes, ETag = $"\"{Hash(bytes)}\"" };
    });

    public Asset? Find(string hashedName) => byHashedName.GetValueOrDefault(hashedName);

    static IEnumerable<string> ImportsOf(byte[] file) =>
        Import().Matches(Encoding.UTF8.GetString(file)).Select(m => m.Groups["name"].Value);

    static byte[] RewriteImports(byte[] file, IReadOnlyDictionary<string, string> names) =>
        Encoding.UTF8.GetBytes(Import().Replace(Encoding.UTF8.GetString(file),
            m => $"{m.Groups["head"].Value}./{names[m.Groups["name"].Value]}{m.Groups["quote"].Value}"));

    static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..10];

    static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        _ => "application/octet-stream",
    };

    static Dictionary<string, byte[]> ReadEmbedded()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames()
            .Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[resource[ResourcePrefix.Length..]] = copy.ToArray();
        }
        return files;
    }

    // `import … from './x.js'`, `import './x.js'` and `import('./x.js')`:
    // siblings only (the console is one flat folder).
    [GeneratedRegex(@"(?<head>\b(?:from|import)\s*\(?\s*(?<quote>['""]))\./(?<name>[a-z0-9-]+\.js)\k<quote>")]
    private static partial Regex Import();
}
