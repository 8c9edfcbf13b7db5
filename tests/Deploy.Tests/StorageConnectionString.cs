namespace Catalyst.Deploy.Tests;

/// <summary>An Azure Storage connection string as key=value pairs, split the way KEDA's azure-queue scaler splits it.</summary>
public static class StorageConnectionString
{
    public static IReadOnlyDictionary<string, string> Parse(string connectionString) =>
        connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv.Length == 2 ? kv[1] : "", StringComparer.OrdinalIgnoreCase);
}
