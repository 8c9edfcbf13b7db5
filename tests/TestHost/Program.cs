using Catalyst.Functions.Hosting;

return await StandaloneHost.RunAsync(args, [typeof(StandaloneHost).Assembly, typeof(Catalyst.TestHost.ProbeOrchestrator).Assembly]);
