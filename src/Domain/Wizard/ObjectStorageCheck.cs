using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Catalyst.Domain.Configuration;

namespace Catalyst.Domain.Wizard;

/// <summary>
/// Where Hetzner Object Storage is: <c>CATALYST_OBJECT_STORAGE_ENDPOINT_TEMPLATE</c>, an http(s) URL in which
/// <c>{region}</c> is replaced (default <c>https://{region}.your-objectstorage.com</c>, the original's). A template
/// without it (a proxy, the tests' fake) serves every region; the region still names the signing scope.
/// </summary>
public sealed record ObjectStorageEndpoint(string Template)
{
    public const string Setting = "CATALYST_OBJECT_STORAGE_ENDPOINT_TEMPLATE";
    public const string DefaultTemplate = "https://{region}.your-objectstorage.com";

    public static ObjectStorageEndpoint From(Func<string, string?> read)
    {
        var template = Settings.Text(read, Setting) ?? DefaultTemplate;
        if (!Uri.TryCreate(template.Replace("{region}", "fsn1", StringComparison.Ordinal),
            UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https"))
            throw new SettingException(Setting, $"'{template}' is not an http(s) URL");
        return new ObjectStorageEndpoint(template);
    }

    public string For(string region) => Template.Replace("{region}", region, StringComparison.Ordinal);
}

/// <summary>
/// <c>POST /api/v1/credentials/object-storage/validate</c> (reference A.5, #371): the original's checks, messages and
/// statuses, then an S3 ListBuckets signed with the keys. Neither key is logged or stored; the caller logs the outcome.
/// </summary>
public sealed class ObjectStorageCheck(ObjectStorageEndpoint endpoint)
{
    public static readonly IReadOnlyList<string> Regions = ["fsn1", "nbg1", "hel1"];

    public async Task<TokenVerdict> CheckAsync(string? region, string? accessKey, string? secretKey,
        CancellationToken cancellationToken)
    {
        var r = region?.Trim() ?? "";
        var access = accessKey?.Trim() ?? "";
        var secret = secretKey?.Trim() ?? "";
        if (r.Length == 0)
            return new TokenVerdict(400, false, "object storage region is required (fsn1, nbg1, or hel1)");
        if (!Regions.Contains(r))
            return new TokenVerdict(400, false,
                "region must be one of fsn1 / nbg1 / hel1 (Hetzner Object Storage is European-only as of 2026-04)");
        if (access.Length < 16)
            return new TokenVerdict(400, false,
                "access key too short — Hetzner Object Storage keys are at least 16 characters");
        if (secret.Length < 32)
            return new TokenVerdict(400, false,
                "secret key too short — Hetzner Object Storage secrets are at least 32 characters");

        var config = new AmazonS3Config
        {
            ServiceURL = endpoint.For(r),
            AuthenticationRegion = r,
            ForcePathStyle = true,
            MaxErrorRetry = 0, // one quick answer for a wizard click, as the Hetzner token check
            Timeout = TimeSpan.FromSeconds(10),
        };
        try
        {
            using var s3 = new AmazonS3Client(new BasicAWSCredentials(access, secret), config);
            await s3.ListBucketsAsync(cancellationToken);
            return new TokenVerdict(200, true, "S3 access confirmed");
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                                          || e.ErrorCode is "InvalidAccessKeyId" or "SignatureDoesNotMatch"
                                              or "AccessDenied")
        {
            return new TokenVerdict(200, false,
                "credentials rejected — issue a fresh access/secret pair in Hetzner Console → Object Storage → " +
                "Manage Credentials");
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return new TokenVerdict(503, false,
                "could not reach Hetzner Object Storage — check status.hetzner.com or retry");
        }
    }
}
