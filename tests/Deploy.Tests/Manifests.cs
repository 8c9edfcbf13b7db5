using System.Collections.Concurrent;
using System.Text;
using k8s;
using k8s.Models;

namespace Catalyst.Deploy.Tests;

/// <summary>
/// One overlay's rendered objects as KubernetesClient's typed models, loaded in strict mode: a field the Kubernetes API
/// does not define (a typo such as <c>initialDelaySecond</c>) fails the load, as <c>kubectl apply</c>'s strict field
/// validation would reject it.
/// </summary>
public sealed class Manifests
{
    public const string AppName = "catalyst-api";
    public const string Namespace = "catalyst";

    static readonly Dictionary<string, Type> KedaTypes = new()
    {
        [$"{V1Alpha1ScaledObject.KubeApiVersion}/{V1Alpha1ScaledObject.KubeKind}"] = typeof(V1Alpha1ScaledObject),
        [$"{V1Alpha1TriggerAuthentication.KubeApiVersion}/{V1Alpha1TriggerAuthentication.KubeKind}"] = typeof(V1Alpha1TriggerAuthentication),
    };

    static readonly ConcurrentDictionary<string, Lazy<Manifests>> Cache = new();

    Manifests(string overlay, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> objects)
    {
        Overlay = overlay;
        Objects = objects;
    }

    public string Overlay { get; }
    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects { get; }

    public static Manifests Of(string overlay) =>
        Cache.GetOrAdd(overlay, o => new Lazy<Manifests>(() => Load(o, Kustomize.Render(o)))).Value;

    public static Manifests Load(string overlay, string yaml)
    {
        var objects = KubernetesYaml.LoadAllFromString(yaml, KedaTypes, strict: true)
            .Select(o => o as IKubernetesObject<V1ObjectMeta> ?? throw new InvalidOperationException($"{o.GetType().Name} has no metadata"))
            .ToList();
        return new Manifests(overlay, objects);
    }

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T Single<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
        All<T>().SingleOrDefault(o => o.Metadata.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"{Overlay}: no {typeof(T).Name} named {name} (have: {string.Join(", ", Objects.Select(Describe))})");

    public V1Deployment App => Single<V1Deployment>(AppName);

    public V1Container AppContainer => App.Spec.Template.Spec.Containers.Single(c => c.Name == AppName);

    public V1Alpha1ScaledObject ScaledObject => All<V1Alpha1ScaledObject>().Single();

    /// <summary>A generated ConfigMap or Secret is named with a content hash by kustomize; references are rewritten to match.</summary>
    public V1ConfigMap? ConfigMap(string name) => All<V1ConfigMap>().SingleOrDefault(c => c.Metadata.Name == name);

    public V1Secret? Secret(string name) => All<V1Secret>().SingleOrDefault(s => s.Metadata.Name == name);

    public static string Describe(IKubernetesObject<V1ObjectMeta> o) => $"{o.Kind}/{o.Metadata.Name}";

    /// <summary>Every environment variable the app's container gets, from env and from envFrom ConfigMaps in the render.</summary>
    public IReadOnlyDictionary<string, EnvSetting> AppEnvironment()
    {
        var result = new Dictionary<string, EnvSetting>(StringComparer.Ordinal);
        foreach (var from in AppContainer.EnvFrom ?? [])
        {
            if (from.ConfigMapRef is { } cmRef)
            {
                var map = ConfigMap(cmRef.Name) ?? throw new Xunit.Sdk.XunitException($"{Overlay}: envFrom names ConfigMap {cmRef.Name}, which is not rendered");
                foreach (var (key, value) in map.Data ?? new Dictionary<string, string>())
                    result[key] = new EnvSetting(key, EnvOrigin.ConfigMapData, value, cmRef.Name, key, false);
            }
            else
            {
                throw new Xunit.Sdk.XunitException($"{Overlay}: envFrom other than a ConfigMap is not expected (a Secret's keys could not be checked)");
            }
        }

        foreach (var env in AppContainer.Env ?? [])
        {
            result[env.Name] = env.ValueFrom switch
            {
                null => new EnvSetting(env.Name, EnvOrigin.Value, env.Value, null, null, false),
                { SecretKeyRef: { } s } => new EnvSetting(env.Name, EnvOrigin.SecretKey, null, s.Name, s.Key, s.Optional ?? false),
                { ConfigMapKeyRef: { } c } => new EnvSetting(env.Name, EnvOrigin.ConfigMapKey, null, c.Name, c.Key, c.Optional ?? false),
                _ => new EnvSetting(env.Name, EnvOrigin.Other, null, null, null, false),
            };
        }

        return result;
    }

    public static string DecodeSecretValue(V1Secret secret, string key) =>
        secret.Data is { } data && data.TryGetValue(key, out var bytes) ? Encoding.UTF8.GetString(bytes)
        : secret.StringData is { } text && text.TryGetValue(key, out var value) ? value
        : throw new Xunit.Sdk.XunitException($"Secret {secret.Metadata.Name} has no key {key}");
}

public enum EnvOrigin { Value, ConfigMapData, SecretKey, ConfigMapKey, Other }

/// <summary>Where one environment variable comes from: a literal, a ConfigMap through envFrom, or a key reference.</summary>
public sealed record EnvSetting(string Name, EnvOrigin Origin, string? Value, string? SourceName, string? Key, bool Optional);
