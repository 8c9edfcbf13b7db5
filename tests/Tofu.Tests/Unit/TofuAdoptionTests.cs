using System.Net;
using Catalyst.Domain.Hetzner;
using Catalyst.Domain.Tofu;

namespace Catalyst.Tofu.Tests.Unit;

/// <summary>The adoption rule: names to module addresses, which objects to import, and the import blocks.</summary>
public class TofuAdoptionTests
{
    static readonly Dictionary<string, object?> Variables = new()
    {
        ["sovereign_fqdn"] = "acme.omani.works", ["ha_enabled"] = false, ["worker_count"] = 2, ["deployment_id"] = "d1",
    };

    [Fact]
    public void ThePrefixIsTheModulesNamePrefix()
    {
        Assert.Equal("acme-omani-works", TofuAdoption.NamePrefix("acme.omani.works"));
        // substr(…, 0, 50) then trim "-": a cut that ends on a dot's dash loses it.
        var fqdn = new string('a', 49) + ".example.com";
        Assert.Equal(new string('a', 49), TofuAdoption.NamePrefix(fqdn));
        Assert.Equal(50, TofuAdoption.NamePrefix(new string('b', 60) + ".io").Length);
    }

    [Theory]
    [InlineData("networks", "acme-omani-works-net", "hcloud_network.this")]
    [InlineData("firewalls", "acme-omani-works-fw", "hcloud_firewall.nodes")]
    [InlineData("ssh_keys", "acme-omani-works-admin", "hcloud_ssh_key.admin")]
    [InlineData("placement_groups", "acme-omani-works-cp", "hcloud_placement_group.control_plane")]
    [InlineData("load_balancers", "acme-omani-works-lb", "hcloud_load_balancer.this")]
    [InlineData("servers", "acme-omani-works-cp-1", "hcloud_server.control_plane[0]")]
    [InlineData("servers", "acme-omani-works-cp-3", "hcloud_server.control_plane[2]")]
    [InlineData("servers", "acme-omani-works-worker-1", "hcloud_server.worker[0]")]
    [InlineData("servers", "acme-omani-works-worker-5", "hcloud_server.worker[4]")]
    public void NamesMapToTheModulesAddresses(string kind, string name, string address) =>
        Assert.Equal(address, TofuAdoption.AddressFor(kind, name, "acme-omani-works", controlPlanes: 3, workers: 5));

    [Theory]
    [InlineData("servers", "acme-omani-works-cp-2")] // HA is off: one control plane
    [InlineData("servers", "acme-omani-works-worker-3")] // two workers
    [InlineData("servers", "acme-omani-works-worker-0")]
    [InlineData("servers", "acme-omani-works-worker-01")]
    [InlineData("servers", "acme-omani-works-net")] // right name, wrong kind
    [InlineData("networks", "other-omani-works-net")] // another prefix
    [InlineData("volumes", "acme-omani-works-data")] // made by the cluster, not the module
    [InlineData("load_balancers", "acme-omani-works-lb-ingress")]
    public void WhatTheModuleDoesNotCreateMapsToNothing(string kind, string name) =>
        Assert.Null(TofuAdoption.AddressFor(kind, name, "acme-omani-works", controlPlanes: 1, workers: 2));

    [Fact]
    public void ThePlanImportsWhatStateLacksAndReportsWhatMatchesNothing()
    {
        var owned = new List<Leftover>
        {
            new("networks", 11, "acme-omani-works-net"),
            new("servers", 13, "acme-omani-works-worker-1"),
            new("servers", 12, "acme-omani-works-cp-1"),
            new("volumes", 14, "pvc-1234"),
            new("servers", 15, "acme-omani-works-cp-2"),
        };

        var plan = TofuAdoption.Plan(owned, new HashSet<string> { "hcloud_network.this" }, Variables);

        Assert.Equal([("hcloud_server.control_plane[0]", 12L), ("hcloud_server.worker[0]", 13L)], plan.Imports.Select(i => (i.Address, i.Object.Id)));
        Assert.Equal([15L, 14L], plan.Unmatched.Select(u => u.Id));
        Assert.Equal(4, plan.Unknown.Count);
    }

    [Fact]
    public void VariablesReadFromJsonWork()
    {
        var variables = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, object?>>(
            """{"sovereign_fqdn":"acme.omani.works","ha_enabled":true,"worker_count":1}""")!;
        var plan = TofuAdoption.Plan([new("servers", 1, "acme-omani-works-cp-3"), new("servers", 2, "acme-omani-works-worker-1")], new HashSet<string>(), variables);
        Assert.Equal(["hcloud_server.control_plane[2]", "hcloud_server.worker[0]"], plan.Imports.Select(i => i.Address));
    }

    [Fact]
    public void TheImportBlocksAreOnePerResourceInAddressOrder()
    {
        var text = TofuAdoption.ImportBlocks([
            new("hcloud_server.worker[1]", new Leftover("servers", 42, "x-worker-2")),
            new("hcloud_network.this", new Leftover("networks", 7, "x-net")),
        ]);

        Assert.EndsWith("""

            import {
              to = hcloud_network.this
              id = "7"
            }

            import {
              to = hcloud_server.worker[1]
              id = "42"
            }

            """.ReplaceLineEndings("\n"), text);
        Assert.StartsWith("# ", text);
        Assert.Throws<ArgumentException>(() => TofuAdoption.ImportBlocks([new("x\"} evil {", new Leftover("servers", 1, "n"))]));
    }

    [Fact]
    public void TheImportsFileIsOwnerOnlyAndGoesAwayWhenNothingIsLeftToImport()
    {
        using var temp = new TempDir();
        TofuAdoption.WriteImports(temp.Path, [new("hcloud_ssh_key.admin", new Leftover("ssh_keys", 9, "x-admin"))]);
        var path = temp.File(TofuAdoption.ImportsFileName);
        Assert.Contains("to = hcloud_ssh_key.admin", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        // It ends in .tf, so the next staging removes it as a file the module does not have: an old import never outlives its run.
        Assert.True(TofuWorkdir.IsModuleFile(TofuAdoption.ImportsFileName));

        TofuAdoption.WriteImports(temp.Path, []);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task AdoptionAsksTofuOnlyWhenSomethingIsOwnedAndReportsThePlan()
    {
        using var temp = new TempDir();
        var stateLists = 0;
        var reported = new List<AdoptionPlan>();
        Task<string> StateList()
        {
            stateLists++;
            return Task.FromResult("hcloud_network.this\n");
        }

        var nothing = new TofuAdoptionSource(_ => Task.FromResult<IReadOnlyList<Leftover>>([]), p => { reported.Add(p); return Task.CompletedTask; });
        Assert.Same(AdoptionPlan.Empty, await TofuAdoption.AdoptAsync(nothing, Variables, temp.Path, StateList, CancellationToken.None));
        Assert.Equal(0, stateLists);

        var some = nothing with { ListOwnedAsync = _ => Task.FromResult<IReadOnlyList<Leftover>>([new("networks", 1, "acme-omani-works-net"), new("firewalls", 2, "acme-omani-works-fw")]) };
        var plan = await TofuAdoption.AdoptAsync(some, Variables, temp.Path, StateList, CancellationToken.None);
        Assert.Equal(1, stateLists);
        Assert.Equal(["hcloud_firewall.nodes"], plan.Imports.Select(i => i.Address));
        Assert.Equal([AdoptionPlan.Empty, plan], reported);
        Assert.True(File.Exists(temp.File(TofuAdoption.ImportsFileName)));
    }

    [Fact]
    public async Task AnUnreachableHetznerIsTransientAndARefusedTokenIsLeftToTofu()
    {
        using var temp = new TempDir();
        Task<string> StateList() => Task.FromResult("");
        var down = new TofuAdoptionSource(_ => throw new HttpRequestException("Hetzner API servers: HTTP 503", null, HttpStatusCode.ServiceUnavailable), _ => Task.CompletedTask);
        var e = await Assert.ThrowsAsync<TofuException>(() => TofuAdoption.AdoptAsync(down, Variables, temp.Path, StateList, CancellationToken.None));
        Assert.Equal(("adopt", true), (e.Command, e.Transient));

        var refused = down with { ListOwnedAsync = _ => throw new HttpRequestException("Hetzner API servers: HTTP 401", null, HttpStatusCode.Unauthorized) };
        Assert.Same(AdoptionPlan.Empty, await TofuAdoption.AdoptAsync(refused, Variables, temp.Path, StateList, CancellationToken.None));
    }
}
