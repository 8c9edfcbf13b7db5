using Catalyst.Domain.Configuration;
using Catalyst.Functions.Hosting;

// One executable, two hosts (DESIGN §2): the Functions host when it started us, standalone otherwise.
HostMode mode;
try
{
    mode = HostModeSelector.Select(args, Environment.GetEnvironmentVariable);
}
catch (SettingException e)
{
    Console.Error.WriteLine($"Cannot start: {e.Message}");
    return 2;
}

return mode == HostMode.Functions
    ? await FunctionsHost.RunAsync(args)
    : await StandaloneHost.RunAsync(args, [typeof(Program).Assembly]);
