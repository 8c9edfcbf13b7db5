using System.Diagnostics;
using System.Net.Http.Headers;
using k8s;
using k8s.Models;

namespace Catalyst.Domain.ClusterCache;

/// <summary>
/// One Sovereign's API server, reached with KubernetesClient from the kubeconfig the Sovereign posted: its TLS,
/// credentials and HTTP pipeline, plus a request budget (the original's QPS 50 / burst 100, which this library
/// has no setting for). Lists and watches are plain GETs so any resource, built-in or CRD, is read the same way.
/// Building one makes no network call (reference D.3: registering a cluster never waits on it).
/// </summary>
public sealed class ClusterConnection : IDisposable
{
    readonly Kubernetes client;

    ClusterConnection(Kubernetes client) => this.client = client;

    /// <summary>
    /// From the kubeconfig read as data (issue 15: the library's own loader runs <c>exec</c> plugins and reads files);
    /// throws <see cref="Deployments.KubeconfigRefusedException"/> for anything but the accepted shape.
    /// </summary>
    public static ClusterConnection FromKubeconfig(byte[] kubeconfig, double qps, int burst) =>
        new(new Kubernetes(Deployments.SovereignKubeconfig.Parse(kubeconfig).ToClientConfiguration(),
            new RateLimitHandler(qps, burst)));

    /// <summary>Sends a GET for <paramref name="pathAndQuery"/> (relative
    /// to the server); the caller reads or disposes the response.</summary>
    public async Task<HttpResponseMessage> GetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, pathAndQuery));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (client.Credentials is { } credentials)
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        // Headers only: a watch body is read as it streams, and HttpClient's timeout covers only the wait for headers.
        return await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Asks the Sovereign's own authorizer whether <paramref name="user"/>
    /// may <paramref name="verb"/> the kind there.</summary>
    public async Task<bool> SubjectAccessReviewAsync(string user, KindSpec kind, string ns, string verb,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var review = new V1SubjectAccessReview
        {
            ApiVersion = "authorization.k8s.io/v1",
            Kind = "SubjectAccessReview",
            Spec = new V1SubjectAccessReviewSpec
            {
                User = user,
                ResourceAttributes = new V1ResourceAttributes
                {
                    Group = kind.Group, Version = kind.Version, Resource = kind.Resource, Verb = verb,
                    NamespaceProperty = ns.Length == 0 ? null : ns,
                },
            },
        };
        var answer = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(review,
            cancellationToken: timeout.Token);
        return answer.Status is { Allowed: true, Denied: not true };
    }

    public void Dispose() => client.Dispose();

    /// <summary>
    /// A token bucket in front of every request: <c>burst</c> at once, then <c>qps</c> per second, waiting in turn.
    /// Tokens are reserved before waiting, so callers are served in arrival order.
    /// </summary>
    sealed class RateLimitHandler(double qps, int burst) : DelegatingHandler
    {
        readonly object gate = new();
        double tokens = burst;
        long last = Stopwatch.GetTimestamp();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request,
            CancellationToken cancellationToken)
        {
            TimeSpan wait;
            lock (gate)
            {
                var now = Stopwatch.GetTimestamp();
                tokens = Math.Min(burst, tokens + Stopwatch.GetElapsedTime(last, now).TotalSeconds * qps);
                last = now;
                tokens -= 1;
                wait = tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-tokens / qps);
            }
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
