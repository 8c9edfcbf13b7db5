using k8s.Models;

namespace Catalyst.Deploy.Tests;

/// <summary>The Azurite overlay points the app and KEDA at the in-cluster emulator with a string KEDA can parse.</summary>
public sealed class AzuriteOverlayTests
{
    static Manifests Azurite => Manifests.Of("azurite");

    [Fact]
    public void TheConnectionStringIsOneKedaCanParse()
    {
        var secret = Azurite.Secret("catalyst-storage") ?? throw new Xunit.Sdk.XunitException("the Azurite overlay must generate catalyst-storage");
        var text = Manifests.DecodeSecretValue(secret, "connection-string");
        Assert.DoesNotContain("UseDevelopmentStorage", text, StringComparison.OrdinalIgnoreCase);
        var parts = StorageConnectionString.Parse(text);
        // KEDA (pkg/scalers/azure/azure_storage.go) needs AccountName and AccountKey, then an explicit QueueEndpoint
        // (or DefaultEndpointsProtocol + EndpointSuffix, which an emulator on a cluster address cannot use).
        Assert.Equal("devstoreaccount1", parts["AccountName"]);
        Assert.Equal(SecretHygieneTests.AzuriteDevAccountKey, parts["AccountKey"]);

        var service = Azurite.Single<V1Service>("azurite");
        var deployment = Azurite.Single<V1Deployment>("azurite");
        var containerPorts = deployment.Spec.Template.Spec.Containers.Single().Ports;
        foreach (var (endpoint, containerPort) in new[] { ("BlobEndpoint", 10000), ("QueueEndpoint", 10001), ("TableEndpoint", 10002) })
        {
            var uri = new Uri(parts[endpoint]);
            Assert.Equal("azurite", uri.Host);
            Assert.Equal("/devstoreaccount1", uri.AbsolutePath);
            var servicePort = Assert.Single(service.Spec.Ports, p => p.Port == uri.Port);
            var target = int.TryParse(servicePort.TargetPort.Value, out var n) ? n : containerPorts.Single(p => p.Name == servicePort.TargetPort.Value).ContainerPort;
            Assert.Equal(containerPort, target);
        }
    }

    [Fact]
    public void AzuriteRunsTheVersionTheTestsRun()
    {
        var image = Azurite.Single<V1Deployment>("azurite").Spec.Template.Spec.Containers.Single().Image;
        Assert.Equal($"mcr.microsoft.com/azure-storage/azurite:{AppFacts.NpmDevDependencyVersion("azurite")}", image);
    }

    [Fact]
    public void TheProductionOverlayCommitsNoStorageSecret()
    {
        var production = Manifests.Of("azure-storage");
        Assert.Empty(production.All<V1Secret>());
        Assert.DoesNotContain(production.All<V1Deployment>(), d => d.Metadata.Name == "azurite");
        var image = production.AppContainer.Image;
        Assert.Contains(':', image);
        Assert.False(image.EndsWith(":latest", StringComparison.Ordinal), "pin a release tag");
    }
}
