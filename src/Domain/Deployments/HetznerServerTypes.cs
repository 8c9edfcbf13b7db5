namespace Catalyst.Domain.Deployments;

/// <summary>
/// Hetzner Cloud server types as the wizard may ask for them (issue 22). Hetzner removed CX Gen2 and CPX Gen1 at the
/// end of 2025, and server types are offered per location since 2025 (hcloud provider v1.53.0 changelog): Arm (cax)
/// and the cost-optimised CX line only in the EU locations. The module asks the API again at plan
/// (infra/hetzner/nodes.tf), which stays the authority for a type this list does not know.
/// </summary>
public static class HetznerServerTypes
{
    /// <summary>CX Gen2 and CPX Gen1: a create with one fails mid-apply.
    /// infra/hetzner/variables.tf refuses the same list.</summary>
    public static readonly IReadOnlyList<string> Removed =
        ["cx11", "cx21", "cx22", "cx31", "cx32", "cx41", "cx42", "cx51", "cx52", "cpx11", "cpx21", "cpx31",
            "cpx41", "cpx51"];

    public static readonly IReadOnlyList<string> EuLocations = ["fsn1", "nbg1", "hel1"];

    public static readonly IReadOnlyList<string> AllLocations = ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"];

    /// <summary>Current types and where they are offered.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Current =
        new Dictionary<string, IReadOnlyList<string>>
    {
        ["cx23"] = EuLocations, ["cx33"] = EuLocations, ["cx43"] = EuLocations, ["cx53"] = EuLocations,
        ["cax11"] = EuLocations, ["cax21"] = EuLocations, ["cax31"] = EuLocations, ["cax41"] = EuLocations,
        ["cpx12"] = AllLocations, ["cpx22"] = AllLocations, ["cpx32"] = AllLocations, ["cpx42"] = AllLocations,
        ["cpx52"] = AllLocations, ["cpx62"] = AllLocations,
        ["ccx13"] = AllLocations, ["ccx23"] = AllLocations, ["ccx33"] = AllLocations, ["ccx43"] = AllLocations,
        ["ccx53"] = AllLocations, ["ccx63"] = AllLocations,
    };

    /// <summary>Whether a known type is offered in the location; a type this
    /// list does not know is left to the module's plan-time check.</summary>
    public static bool OfferedIn(string type, string location) =>
        !Removed.Contains(type) && (!Current.TryGetValue(type, out var locations) || locations.Contains(location));

    /// <summary>Why the type cannot be used in the location, or null.</summary>
    public static string? Problem(string type, string location)
    {
        if (Removed.Contains(type))
            return $"\"{type}\" is a server type Hetzner has removed (CX Gen2 and CPX Gen1, end of 2025); " +
                "use a current one such as cx23, cpx32 or ccx13";
        if (Current.TryGetValue(type, out var locations) && !locations.Contains(location))
            return $"\"{type}\" is not offered in {location} (only in {string.Join(", ", locations)}); " +
                "use cpx or ccx types there";
        return null;
    }
}
