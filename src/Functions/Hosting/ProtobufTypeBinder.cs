using DurableTask.AzureStorage;

namespace Catalyst.Functions.Hosting;

/// <summary>
/// The in-process sidecar hands the engine sub-orchestration tags as a protobuf <c>MapField</c>; the engine writes
/// queue messages with type names and its default binder cannot find that type again, so every sub-orchestration
/// start was dropped as an unreadable message. This binder resolves protobuf types from their own assembly.
/// </summary>
sealed class ProtobufTypeBinder : ICustomTypeBinder
{
    static readonly System.Reflection.Assembly Protobuf = typeof(Google.Protobuf.Collections.MapField<,>).Assembly;

    public void BindToName(Type serializedType, out string assemblyName, out string typeName)
    {
        assemblyName = null!;
        typeName = serializedType.FullName!;
    }

    public Type BindToType(string assemblyName, string typeName) =>
        typeName.StartsWith("Google.Protobuf.", StringComparison.Ordinal)
            ? Protobuf.GetType(typeName, throwOnError: true)!
            : Type.GetType(typeName, throwOnError: true)!;
}
