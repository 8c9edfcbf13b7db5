using System.Reflection;
using System.Reflection.Emit;
using Catalyst.Domain.Configuration;
using Catalyst.Functions.Hosting;

namespace Catalyst.Functions.Tests;

/// <summary>
/// Issue 20: dependencies go one way. In src/Functions, triggers (Http, Timers) → Orchestrations → Activities → Domain;
/// Hosting wires everything and nothing depends on Hosting. In src/Domain, no two folders (namespaces) depend on each
/// other, directly or around a loop. "Depends" means a type names another anywhere: signatures, fields, base types and
/// method bodies (read from the IL, so a local variable or a static call counts too). Nothing is left to untangle, so
/// the lists below are empty; an entry would name its edge and why. The tests fail on any new violation, and on a
/// listed one that is gone (so a list only shrinks).
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>Which layers of src/Functions each layer may use (besides itself and Domain).</summary>
    static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        ["Http"] = ["Orchestrations", "Activities", "WebConsole"],
        ["Timers"] = ["Orchestrations", "Activities"],
        ["Orchestrations"] = ["Activities"],
        ["Activities"] = [],
        // The console's embedded files and their content hashes (issue 18): read by its trigger, registered by Hosting.
        ["WebConsole"] = [],
        ["Hosting"] = ["Http", "Timers", "Orchestrations", "Activities", "WebConsole"],
    };

    /// <summary>Layer edges that break the rule today, each with its owner's reason; remove an entry when it is fixed.</summary>
    static readonly IReadOnlyDictionary<string, string> KnownLayerExceptions = new Dictionary<string, string>
    {
    };

    /// <summary>Domain folder edges that close a loop today, each with why it remains; remove an entry when it is fixed.</summary>
    static readonly IReadOnlyDictionary<string, string> KnownDomainCycleEdges = new Dictionary<string, string>
    {
    };

    static readonly Assembly FunctionsAssembly = typeof(StartupChecks).Assembly;
    static readonly Assembly DomainAssembly = typeof(SettingException).Assembly;

    /// <summary>Each folder of src/Functions has its place in the rules (a new one, e.g. for the watch, must be given one).</summary>
    [Fact]
    public void EveryFunctionsFolderIsALayer()
    {
        var unknown = FunctionsAssembly.GetTypes().Select(FunctionsLayer).OfType<string>().Distinct()
            .Where(layer => !Allowed.ContainsKey(layer)).Order().ToList();
        Assert.True(unknown.Count == 0, "src/Functions folders with no place in ArchitectureTests.Allowed: " + string.Join(", ", unknown));
    }

    [Fact]
    public void FunctionsLayersDependOneWayAndNothingDependsOnHosting()
    {
        var edges = Edges(FunctionsAssembly, FunctionsLayer)
            .Where(e => e.To != "Domain" && Allowed.ContainsKey(e.From) && !Allowed[e.From].Contains(e.To))
            .GroupBy(e => $"{e.From} -> {e.To}")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Example).Distinct().Order().Take(6).ToList());

        Report(edges, KnownLayerExceptions);
    }

    [Fact]
    public void DomainFoldersHaveNoCycles()
    {
        var all = Edges(DomainAssembly, DomainFolder).Where(e => e.To != e.From).ToList();
        var graph = all.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToHashSet());
        // An edge A -> B is in a loop when B reaches A.
        var inLoops = all.Where(e => Reaches(graph, e.To, e.From))
            .GroupBy(e => $"{e.From} -> {e.To}")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Example).Distinct().Order().Take(6).ToList());

        Report(inLoops, KnownDomainCycleEdges);
    }

    static void Report(Dictionary<string, List<string>> found, IReadOnlyDictionary<string, string> known)
    {
        var unexpected = found.Where(f => !known.ContainsKey(f.Key))
            .Select(f => $"{f.Key}:\n    {string.Join("\n    ", f.Value)}").Order().ToList();
        var gone = known.Keys.Where(k => !found.ContainsKey(k)).Order().ToList();
        Assert.True(unexpected.Count == 0, "New dependencies against the layering:\n" + string.Join('\n', unexpected));
        Assert.True(gone.Count == 0, "Fixed, so remove from the known exceptions: " + string.Join(", ", gone));
    }

    static string? FunctionsLayer(Type type)
    {
        if (type.Assembly == DomainAssembly) return "Domain";
        if (type.Assembly != FunctionsAssembly || CompilerGenerated(type)) return null;
        var ns = type.Namespace ?? "";
        const string prefix = "Catalyst.Functions.";
        // A folder is a layer; a new folder shows up as a layer the rules do not know yet (see the first test).
        if (ns.StartsWith(prefix, StringComparison.Ordinal)) return ns[prefix.Length..].Split('.')[0];
        // The regex source generator's helpers belong to whoever declared the [GeneratedRegex].
        if (ns.StartsWith("System.Text.RegularExpressions.Generated", StringComparison.Ordinal)) return null;
        // Program and the Functions SDK's generated executor and registrations: the entry point, part of hosting.
        return "Hosting";
    }

    static string? DomainFolder(Type type)
    {
        if (type.Assembly != DomainAssembly || CompilerGenerated(type)) return null;
        var ns = type.Namespace ?? "";
        const string prefix = "Catalyst.Domain.";
        if (!ns.StartsWith(prefix, StringComparison.Ordinal)) return null; // generated helpers outside any folder
        var rest = ns[prefix.Length..];
        return rest.Split('.')[0];
    }

    /// <summary>The compiler's own helpers (anonymous types, collection-expression lists) live outside every namespace.</summary>
    static bool CompilerGenerated(Type type) => type.Namespace is null && Outermost(type).Name.StartsWith('<');

    static bool Reaches(Dictionary<string, HashSet<string>> graph, string from, string to)
    {
        var seen = new HashSet<string> { from };
        var queue = new Queue<string>([from]);
        while (queue.TryDequeue(out var next))
        {
            if (next == to) return true;
            foreach (var n in graph.GetValueOrDefault(next) ?? [])
                if (seen.Add(n)) queue.Enqueue(n);
        }
        return false;
    }

    sealed record Edge(string From, string To, string Example);

    static IEnumerable<Edge> Edges(Assembly assembly, Func<Type, string?> layerOf)
    {
        foreach (var type in assembly.GetTypes())
        {
            if (layerOf(type) is not { } from) continue;
            foreach (var used in Used(type))
                if (layerOf(used) is { } to && to != from)
                    yield return new Edge(from, to, $"{Outermost(type).FullName} uses {Outermost(used).FullName}");
        }
    }

    static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer) type = outer;
        return type;
    }

    const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    /// <summary>Every type <paramref name="type"/> names: signatures, fields, base types and the tokens in its method bodies.</summary>
    static HashSet<Type> Used(Type type)
    {
        var used = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || t.IsGenericParameter) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            if (!used.Add(t)) return;
            if (t.IsConstructedGenericType) foreach (var a in t.GetGenericArguments()) Add(a);
        }
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var f in type.GetFields(Declared)) Add(f.FieldType);
        foreach (var p in type.GetProperties(Declared)) Add(p.PropertyType);
        foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (m is MethodInfo info) Add(info.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            foreach (var member in BodyTokens(m))
                switch (member)
                {
                    case Type t: Add(t); break;
                    case MethodBase called:
                        Add(called.DeclaringType);
                        if (called.IsGenericMethod) foreach (var a in called.GetGenericArguments()) Add(a);
                        break;
                    case FieldInfo field: Add(field.DeclaringType); Add(field.FieldType); break;
                }
        }
        return used;
    }

    static readonly OpCode[] OneByte = new OpCode[0x100];
    static readonly OpCode[] TwoByte = new OpCode[0x100];

    static ArchitectureTests()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            var value = (ushort)code.Value;
            if (value < 0x100) OneByte[value] = code;
            else if ((value & 0xff00) == 0xfe00) TwoByte[value & 0xff] = code;
        }
    }

    /// <summary>The types, methods and fields a method body's IL refers to by token.</summary>
    static IEnumerable<MemberInfo> BodyTokens(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is InvalidOperationException or BadImageFormatException)
        {
            yield break;
        }
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            var code = il[i] == 0xfe ? TwoByte[il[++i]] : OneByte[il[i]];
            i++;
            var size = code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (code.OperandType is OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType)
            {
                MemberInfo? member = null;
                try
                {
                    member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or FileNotFoundException)
                {
                }
                if (member is not null) yield return member;
            }
            i += size;
        }
    }
}
