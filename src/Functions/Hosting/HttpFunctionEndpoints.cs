using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// Standalone mode's stand-in for the Functions host's HTTP routing: maps each <c>[HttpTrigger]</c> function to
/// the same route and verbs, and binds the parameters the triggers use (the request, route values, the
/// Durable client, the abort token). Functions return <see cref="IResult"/>, which both hosts execute.
/// </summary>
public static class HttpFunctionEndpoints
{
    public static void MapHttpFunctions(this IEndpointRouteBuilder endpoints, IEnumerable<HttpFunction> functions)
    {
        foreach (var function in functions)
        {
            var binders = function.Method.GetParameters().Select(p => CreateBinder(function, p)).ToArray();
            var method = function.Method;
            endpoints.MapMethods("/" + function.Route.TrimStart('/'), function.Methods, async context =>
            {
                var target = method.IsStatic ? null
                    : ActivatorUtilities.GetServiceOrCreateInstance(context.RequestServices, method.DeclaringType!);
                var arguments = binders.Select(bind => bind(context)).ToArray();
                object? returned;
                try
                {
                    returned = method.Invoke(target, arguments);
                }
                catch (TargetInvocationException e) when (e.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                    throw;
                }
                var result = await Unwrap(returned);
                if (result is IResult executable)
                    await executable.ExecuteAsync(context);
                else if (result is not null)
                    throw new InvalidOperationException(
                        $"{function.Name} returned {result.GetType().Name}; HTTP functions return IResult.");
            }).WithName(function.Name);
        }
    }

    static async Task<object?> Unwrap(object? returned)
    {
        if (returned is not Task task) return returned;
        await task;
        var type = task.GetType();
        return type.IsGenericType ? type.GetProperty("Result")!.GetValue(task) : null;
    }

    static Func<HttpContext, object?> CreateBinder(HttpFunction function, ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (type == typeof(HttpRequest)) return c => c.Request;
        if (type == typeof(HttpContext)) return c => c;
        if (type == typeof(CancellationToken)) return c => c.RequestAborted;
        if (type == typeof(DurableTaskClient) || parameter.GetCustomAttribute<DurableClientAttribute>() is not null)
            return c => c.RequestServices.GetRequiredService<DurableTaskClient>();
        if (type == typeof(string))
        {
            // Route values arrive as strings in both hosts; triggers validate them (ids are checked in the domain).
            var name = parameter.Name!;
            return c => c.GetRouteValue(name)?.ToString();
        }
        throw new InvalidOperationException(
            $"HTTP function {function.Name}: parameter '{parameter.Name}' of type {type.Name} cannot be bound in " +
            "standalone mode.");
    }
}
