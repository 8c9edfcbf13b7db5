using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Catalyst.FakeTofu;

/// <summary>
/// Plays the control plane's cloud-init (reference B.6): once the servers exist, PUT the kubeconfig to
/// <c>{catalyst_api_url}/api/v1/deployments/{deployment_id}/kubeconfig</c> with the bearer, retrying like
/// the module's <c>curl --retry --retry-connrefused</c> (issue 22): connection failures, 408, 429 and 5xx only. Knobs: FAKE_TOFU_KUBECONFIG_FILE (what to post; unset = the cluster never calls back),
/// FAKE_TOFU_POSTBACK_URL (base URL; "backend" = the origin of the state backend, i.e. the app that ran us).
/// <c>${deployment_id}</c> in the file is replaced, so one fake Kubernetes API can tell the clusters apart;
/// FAKE_TOFU_POSTBACK_JOURNAL, when set, gets "{deployment id} {unix ms}" when the PUT is sent (benchmarks time from it).
/// FAKE_TOFU_POSTBACK_DEFER_DIR: write the PUT (url, bearer, body) to {dir}/{id}.json instead of sending it, for a
/// harness that plays a slow cloud-init (the fault runs need a long wait for the kubeconfig to kill the host in).
/// </summary>
static class FakeCloudInit
{
    public static void PostKubeconfig(JsonObject variables)
    {
        var file = Environment.GetEnvironmentVariable("FAKE_TOFU_KUBECONFIG_FILE");
        if (string.IsNullOrEmpty(file)) return;
        var baseUrl = Environment.GetEnvironmentVariable("FAKE_TOFU_POSTBACK_URL") switch
        {
            null or "" => variables["catalyst_api_url"]!.GetValue<string>(),
            "backend" => new Uri(Environment.GetEnvironmentVariable("TF_HTTP_ADDRESS")!).GetLeftPart(UriPartial.Authority),
            var explicitUrl => explicitUrl,
        };
        var url = $"{baseUrl.TrimEnd('/')}/api/v1/deployments/{variables["deployment_id"]!.GetValue<string>()}/kubeconfig";
        var bearer = Environment.GetEnvironmentVariable("TF_VAR_kubeconfig_bearer_token") ?? "";
        var deploymentId = variables["deployment_id"]!.GetValue<string>();
        var body = System.Text.Encoding.UTF8.GetBytes(File.ReadAllText(file).Replace("${deployment_id}", deploymentId, StringComparison.Ordinal));
        if (Environment.GetEnvironmentVariable("FAKE_TOFU_POSTBACK_DEFER_DIR") is { Length: > 0 } defer)
        {
            var deferred = new JsonObject { ["url"] = url, ["bearer"] = bearer, ["body"] = Convert.ToBase64String(body) };
            File.WriteAllText(Path.Combine(defer, $"{deploymentId}.json"), deferred.ToJsonString());
            return;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        for (var attempt = 1; attempt <= 60; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-yaml");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
                var sent = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                using var response = http.Send(request);
                if ((int)response.StatusCode < 300 && Environment.GetEnvironmentVariable("FAKE_TOFU_POSTBACK_JOURNAL") is { Length: > 0 } journal)
                    File.AppendAllText(journal, $"{deploymentId} {sent}{Environment.NewLine}");
                Console.WriteLine($"cloud-init (fake): kubeconfig PUT answered {(int)response.StatusCode}");
                if ((int)response.StatusCode is not (408 or 429 or >= 500)) return;
            }
            catch (HttpRequestException e)
            {
                Console.Error.WriteLine($"cloud-init (fake): kubeconfig PUT failed: {e.Message}");
            }
            Thread.Sleep(TimeSpan.FromMilliseconds(500));
        }
    }
}
