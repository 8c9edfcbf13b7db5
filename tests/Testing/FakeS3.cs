using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using WireMock.ResponseBuilders;
using WireMock.RequestBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Catalyst.Testing;

/// <summary>
/// Hetzner Object Storage as the wizard's credential check uses it: <c>GET /</c> (ListBuckets) and <c>HEAD /{bucket}</c>
/// (HeadBucket), path style, on a loopback port. Every request must carry a SigV4 <c>Authorization</c> whose access key
/// is <see cref="AccessKey"/> and whose signature, recomputed here with <see cref="SecretKey"/>, matches: an unknown key is
/// <c>403 InvalidAccessKeyId</c>, a wrong secret <c>403 SignatureDoesNotMatch</c>, as S3 answers.
/// <see cref="FailWith"/> makes every request answer that status instead.
/// </summary>
public sealed class FakeS3 : IDisposable
{
    readonly WireMockServer server;

    public FakeS3(string accessKey, string secretKey, params string[] buckets)
    {
        (AccessKey, SecretKey, Buckets) = (accessKey, secretKey, buckets);
        Url = $"http://127.0.0.1:{FreePort.Next()}";
        server = WireMockServer.Start(new WireMockServerSettings { Urls = [Url] });
        server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithCallback(Answer));
    }

    public string AccessKey { get; }
    public string SecretKey { get; }
    public string[] Buckets { get; }
    public string Url { get; }
    public int? FailWith { get; set; }
    /// <summary>The region each signed request named in its credential scope.</summary>
    public ConcurrentQueue<string> SignedRegions { get; } = new();
    /// <summary>Every request's Authorization header and path, to prove what reached the server.</summary>
    public ConcurrentQueue<string> Seen { get; } = new();

    WireMock.ResponseMessage Answer(WireMock.IRequestMessage request)
    {
        Seen.Enqueue($"{request.Method} {request.Path}");
        if (FailWith is { } status) return Xml(status, "<Error><Code>ServiceUnavailable</Code><Message>unavailable</Message></Error>");
        var authorization = Header(request, "Authorization") ?? "";
        if (Verify(request, authorization) is { } refusal) return Xml(403, $"<Error><Code>{refusal}</Code><Message>{refusal}</Message></Error>");
        var path = request.Path.Trim('/');
        if (request.Method == "GET" && path.Length == 0)
            return Xml(200, "<ListAllMyBucketsResult><Owner><ID>fake</ID></Owner><Buckets>"
                + string.Concat(Buckets.Select(b => $"<Bucket><Name>{b}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>"))
                + "</Buckets></ListAllMyBucketsResult>");
        if (request.Method == "HEAD" && !path.Contains('/'))
            return Xml(Buckets.Contains(path) ? 200 : 404, "");
        return Xml(400, "<Error><Code>NotImplemented</Code><Message>the fake answers ListBuckets and HeadBucket</Message></Error>");
    }

    /// <summary>Null when the request is signed with our key pair; else the S3 error code.</summary>
    string? Verify(WireMock.IRequestMessage request, string authorization)
    {
        const string Scheme = "AWS4-HMAC-SHA256 ";
        if (!authorization.StartsWith(Scheme, StringComparison.Ordinal)) return "AccessDenied";
        var parts = authorization[Scheme.Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedHeaders)
            || !parts.TryGetValue("Signature", out var signature))
            return "AccessDenied";
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[0] != AccessKey) return "InvalidAccessKeyId";
        SignedRegions.Enqueue(scope[2]);

        var names = signedHeaders.Split(';');
        var canonicalHeaders = string.Concat(names.Select(n => $"{n}:{(Header(request, n) ?? "").Trim()}\n"));
        var query = request.Query is null ? "" : string.Join('&', request.Query
            .SelectMany(q => q.Value.Select(v => (Key: Uri.EscapeDataString(q.Key), Value: Uri.EscapeDataString(v ?? ""))))
            .OrderBy(q => q.Key, StringComparer.Ordinal).ThenBy(q => q.Value, StringComparer.Ordinal).Select(q => $"{q.Key}={q.Value}"));
        var canonicalPath = string.Join('/', request.Path.Split('/').Select(Uri.EscapeDataString));
        var payload = Header(request, "x-amz-content-sha256") ?? Hex(SHA256.HashData(request.BodyAsBytes ?? []));
        var canonical = $"{request.Method}\n{canonicalPath}\n{query}\n{canonicalHeaders}\n{signedHeaders}\n{payload}";
        var toSign = $"AWS4-HMAC-SHA256\n{Header(request, "x-amz-date")}\n{string.Join('/', scope[1..])}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + SecretKey);
        foreach (var part in scope[1..]) key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        var expected = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)) ? null : "SignatureDoesNotMatch";
    }

    static string? Header(WireMock.IRequestMessage request, string name) =>
        request.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    static WireMock.ResponseMessage Xml(int status, string xml) => new()
    {
        StatusCode = status,
        BodyData = xml.Length == 0 ? null : new WireMock.Util.BodyData
        {
            BodyAsString = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + xml,
            DetectedBodyType = WireMock.Types.BodyType.String,
            Encoding = Encoding.UTF8,
        },
        Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/xml") },
    };

    public void Dispose() => server.Stop();
}
