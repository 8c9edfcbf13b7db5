namespace Catalyst.Testing;

/// <summary>The fake tofu (tests/FakeTofu) as an executable wrapper the app can run as CATALYST_TOFU_BINARY.</summary>
public static class FakeTofuBinary
{
    public static string Create(string directory)
    {
        var dll = RepoPaths.BuildOutput("tests/FakeTofu", "Catalyst.FakeTofu.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"the fake tofu is not built ({dll})");
        var path = Path.Combine(directory, "tofu");
        File.WriteAllText(path, $"#!/usr/bin/env bash\nexec dotnet '{dll}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
