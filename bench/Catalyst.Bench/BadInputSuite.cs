namespace Catalyst.Bench;
public static class BadInputSuite { public static Task RunAsync(Report report) => Task.CompletedTask; }
