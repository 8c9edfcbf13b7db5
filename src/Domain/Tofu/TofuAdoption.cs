using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Catalyst.Domain.Tofu;

/// <summary>An owner-labelled Hetzner object tofu's state lacks,
/// and the module address it will be imported to.</summary>
public sealed record AdoptedResource(string Address, Leftover Object);

/// <summary>
/// What adoption found in a deployment's Hetzner project: objects to import (their module address is missing from
/// state), and objects that carry the owner label but match no address tofu could import them to. The seed's otech64:
/// an apply cut short by a pod roll left a load balancer tofu never recorded; the next run imports it instead.
/// </summary>
public sealed record AdoptionPlan(IReadOnlyList<AdoptedResource> Imports, IReadOnlyList<Leftover> Unmatched)
{
    public static readonly AdoptionPlan Empty = new([], []);

    /// <summary>Everything owner-labelled that tofu's state does not know: the imports and the unmatched.</summary>
    public IReadOnlyList<Leftover> Unknown => Imports.Select(i => i.Object).Concat(Unmatched).ToList();
}

/// <summary>
/// What a run needs to adopt (given to it by the app through <see cref="TofuInvocation.Adoption"/>): how to list the
/// deployment's owner-labelled Hetzner objects, and who hears what adoption found.
/// </summary>
public sealed record TofuAdoptionSource(
    Func<CancellationToken, Task<IReadOnlyList<Leftover>>> ListOwnedAsync,
    Func<AdoptionPlan, Task> OnPlannedAsync);

/// <summary>
/// Adoption before an apply (DESIGN §3: a crash costs nothing). tofu may be killed between "created at Hetzner" and
/// "state written"; the object then exists, carrying the deployment's owner label, but the next plan would create it
/// again. Before every plan, the owner-labelled objects are listed; each whose module address (found from its name,
/// see <see cref="AddressFor"/>) is missing from <c>tofu state list</c> gets an <c>import</c> block in
/// <see cref="ImportsFileName"/>, so the plan imports it instead of creating it. Hetzner names are unique per project
/// and kind, so an object whose address is already in state is that very resource.
/// </summary>
public static partial class TofuAdoption
{
    /// <summary>Written into the workdir next to the module; removed
    /// again by the next staging (it is not a module file).</summary>
    public const string ImportsFileName = "adopted_imports.tf";

    /// <summary>The module's <c>name_prefix</c> (infra/hetzner/main.tf): the FQDN with dots as dashes, at most 50
    /// characters, no dash at either end.</summary>
    public static string NamePrefix(string sovereignFqdn)
    {
        var dashed = sovereignFqdn.Replace('.', '-');
        return dashed[..Math.Min(50, dashed.Length)].Trim('-');
    }

    /// <summary>
    /// The module address of the object the module names <paramref name="name"/> in Hetzner collection
    /// <paramref name="kind"/>, or null when the module, with this many control planes and workers, has none.
    /// </summary>
    public static string? AddressFor(string kind, string name, string namePrefix, int controlPlanes, int workers)
    {
        if (!name.StartsWith(namePrefix + "-", StringComparison.Ordinal)) return null;
        var suffix = name[(namePrefix.Length + 1)..];
        switch (kind, suffix)
        {
            case ("networks", "net"): return "hcloud_network.this";
            case ("firewalls", "fw"): return "hcloud_firewall.nodes";
            case ("ssh_keys", "admin"): return "hcloud_ssh_key.admin";
            case ("placement_groups", "cp"): return "hcloud_placement_group.control_plane";
            case ("load_balancers", "lb"): return "hcloud_load_balancer.this";
        }
        if (kind != "servers" || NodeName().Match(suffix) is not { Success: true } node) return null;
        if (!int.TryParse(node.Groups["n"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            || n < 1) return null;
        return node.Groups["role"].Value switch
        {
            "cp" when n <= controlPlanes => $"hcloud_server.control_plane[{n - 1}]",
            "worker" when n <= workers => $"hcloud_server.worker[{n - 1}]",
            _ => null,
        };
    }

    /// <summary>Which owned objects to import, and which match no address (see the class summary).</summary>
    public static AdoptionPlan Plan(IReadOnlyList<Leftover> owned, IReadOnlyCollection<string> inState,
        IReadOnlyDictionary<string, object?> variables)
    {
        var prefix = NamePrefix(Text(variables, "sovereign_fqdn"));
        var controlPlanes = Bool(variables, "ha_enabled") ? 3 : 1;
        var workers = Int(variables, "worker_count");
        var imports = new List<AdoptedResource>();
        var unmatched = new List<Leftover>();
        foreach (var item in owned.OrderBy(o => o.Kind, StringComparer.Ordinal).ThenBy(o => o.Id))
        {
            var address = AddressFor(item.Kind, item.Name, prefix, controlPlanes, workers);
            if (address is null) unmatched.Add(item);
            else if (inState.Contains(address)) continue;
            // Two objects for one address (names are unique, so this
            // is another project's doing): import neither blindly.
            else if (imports.Any(i => i.Address == address)) unmatched.Add(item);
            else imports.Add(new AdoptedResource(address, item));
        }
        return new AdoptionPlan(imports, unmatched);
    }

    /// <summary>The <c>import</c> blocks for these resources, one per resource, in address order.</summary>
    public static string ImportBlocks(IReadOnlyList<AdoptedResource> imports)
    {
        var text =
            new StringBuilder(
                "# Written by Catalyst before apply: objects an earlier run created at Hetzner whose state write it " +
                "never made.\n");
        foreach (var import in imports.OrderBy(i => i.Address, StringComparer.Ordinal))
        {
            if (!AddressShape().IsMatch(import.Address))
                throw new ArgumentException($"'{import.Address}' is not a resource address", nameof(imports));
            text.Append("\nimport {\n  to = ").Append(import.Address).Append("\n  id = \"")
                .Append(import.Object.Id.ToString(CultureInfo.InvariantCulture)).Append("\"\n}\n");
        }
        return text.ToString();
    }

    /// <summary>Writes <see cref="ImportsFileName"/> (0600) into the
    /// workdir, or removes it when there is nothing to import.</summary>
    public static void WriteImports(string workdir, IReadOnlyList<AdoptedResource> imports)
    {
        var path = Path.Combine(workdir, ImportsFileName);
        if (imports.Count == 0)
        {
            File.Delete(path);
            return;
        }
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
            stream.Write(Encoding.UTF8.GetBytes(ImportBlocks(imports)));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// The step before plan: list the owned objects; when there are any, ask tofu what its state holds (only then, so
    /// a first apply costs one listing), write the import blocks and report the plan. A listing Hetzner refuses for
    /// the token is left to tofu, which says so for a person to fix; any other failure to list is transient, so the
    /// apply runs again later instead of creating what may already exist.
    /// </summary>
    public static async Task<AdoptionPlan> AdoptAsync(TofuAdoptionSource source,
        IReadOnlyDictionary<string, object?> variables, string workdir,
        Func<Task<string>> stateList, CancellationToken cancellationToken)
    {
        IReadOnlyList<Leftover> owned;
        try
        {
            owned = await source.ListOwnedAsync(cancellationToken);
        }
        catch (HttpRequestException e)
            when (e.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
        {
            owned = [];
        }
        catch (Exception e)
            when (e is HttpRequestException or JsonException
                || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new TofuException("adopt", $"list the deployment's Hetzner objects before apply: {e.Message}",
                transient: true);
        }
        var plan = owned.Count == 0 ? AdoptionPlan.Empty : Plan(owned, ParseStateList(await stateList()), variables);
        try
        {
            WriteImports(workdir, plan.Imports);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TofuException("adopt", $"write {ImportsFileName}: {e.Message}", transient: false);
        }
        await source.OnPlannedAsync(plan);
        return plan;
    }

    /// <summary>The addresses <c>tofu state list</c> printed, one a line.</summary>
    public static IReadOnlySet<string> ParseStateList(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.Ordinal);

    static string Text(IReadOnlyDictionary<string, object?> variables, string name) =>
        variables.TryGetValue(name, out var value)
            ? value switch { JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? "",
                _ => value?.ToString() ?? "" } : "";

    static bool Bool(IReadOnlyDictionary<string, object?> variables, string name) =>
        variables.TryGetValue(name, out var value)
            && value switch { bool b => b, JsonElement { ValueKind: JsonValueKind.True } => true, _ => false };

    static int Int(IReadOnlyDictionary<string, object?> variables, string name) =>
        variables.TryGetValue(name, out var value) ? value switch
        {
            int i => i,
            long l => (int)l,
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetInt32(),
            string s when int.TryParse(s, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => 0,
        } : 0;

    [GeneratedRegex("^(?<role>cp|worker)-(?<n>[1-9][0-9]*)$")]
    private static partial Regex NodeName();

    [GeneratedRegex(@"^[a-z0-9_]+\.[a-z0-9_]+(\[[0-9]+\])?$")]
    private static partial Regex AddressShape();
}
