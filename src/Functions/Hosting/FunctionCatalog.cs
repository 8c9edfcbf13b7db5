using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// Every function the app has, read from its <c>[Function]</c> attributes — the same attributes the Worker
/// SDK turns into <c>functions.metadata</c> for the Functions host. Standalone mode serves and schedules
/// exactly this list, so the two hosts cannot drift apart (DESIGN §2: one source of truth).
/// </summary>
public sealed class FunctionCatalog
{
    public required IReadOnlyList<HttpFunction> Http { get; init; }
    public required IReadOnlyList<TaskFunction> Orchestrators { get; init; }
    public required IReadOnlyList<TaskFunction> Activities { get; init; }
    public required IReadOnlyList<TimerFunction> Timers { get; init; }

    /// <summary>Whether a Functions-mode invocation is an HTTP trigger:
    /// what the worker middlewares (auth, metrics) apply to.</summary>
    public static bool IsHttpTrigger(Microsoft.Azure.Functions.Worker.FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(b =>
            b.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase));

    public static FunctionCatalog Discover(IEnumerable<Assembly> assemblies)
    {
        var http = new List<HttpFunction>();
        var orchestrators = new List<TaskFunction>();
        var activities = new List<TaskFunction>();
        var timers = new List<TimerFunction>();

        var methods = assemblies.Distinct()
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(
                BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly));
        foreach (var method in methods)
        {
            var function = method.GetCustomAttribute<FunctionAttribute>();
            if (function is null) continue;
            var name = function.Name;
            var parameters = method.GetParameters();

            if (parameters.Select(p => p.GetCustomAttribute<HttpTriggerAttribute>())
                .FirstOrDefault(a => a is not null) is { } httpTrigger)
            {
                var verbs = httpTrigger.Methods is { Length: > 0 } m ? m.Select(v => v.ToUpperInvariant()).ToArray()
                    : ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
                http.Add(new HttpFunction(name, verbs, httpTrigger.Route ?? name, method));
            }
            else if (parameters.Any(p => p.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null))
            {
                orchestrators.Add(new TaskFunction(name, RequireImplementation<ITaskOrchestrator>(method, name)));
            }
            else if (parameters.Any(p => p.GetCustomAttribute<ActivityTriggerAttribute>() is not null))
            {
                activities.Add(new TaskFunction(name, RequireImplementation<ITaskActivity>(method, name)));
            }
            else if (parameters.Select(p => p.GetCustomAttribute<TimerTriggerAttribute>())
                .FirstOrDefault(a => a is not null) is { } timer)
            {
                timers.Add(new TimerFunction(name, timer.Schedule, timer.RunOnStartup, method));
            }
            else
            {
                throw new InvalidOperationException($"Function {name} has a trigger that standalone mode cannot host.");
            }
        }

        var duplicate = http.Select(f => f.Name).Concat(orchestrators.Select(f => f.Name))
            .Concat(activities.Select(f => f.Name))
            .Concat(timers.Select(f => f.Name)).GroupBy(n => n, StringComparer.OrdinalIgnoreCase)
            .FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Two functions are named {duplicate.Key}.");

        return new FunctionCatalog
        {
            Http = http.OrderBy(f => f.Route, StringComparer.Ordinal).ToList(),
            Orchestrators = orchestrators.OrderBy(f => f.Name, StringComparer.Ordinal).ToList(),
            Activities = activities.OrderBy(f => f.Name, StringComparer.Ordinal).ToList(),
            Timers = timers.OrderBy(f => f.Name, StringComparer.Ordinal).ToList(),
        };
    }

    // Orchestrator and activity logic is a TaskOrchestrator<,>/TaskActivity<,> class whose [Function] method is
    // the hand-written wrapper (no source generator here); standalone registers the class under that name.
    static Type RequireImplementation<T>(MethodInfo method, string name)
    {
        var type = method.DeclaringType!;
        if (!typeof(T).IsAssignableFrom(type))
            throw new InvalidOperationException(
                $"Function {name} must be declared on a {typeof(T).Name} class ({type.Name} is not).");
        return type;
    }
}

public sealed record HttpFunction(string Name, IReadOnlyList<string> Methods, string Route, MethodInfo Method);

public sealed record TaskFunction(string Name, Type Implementation);

public sealed record TimerFunction(string Name, string Schedule, bool RunOnStartup, MethodInfo Method);
