using Catalyst.Functions.Hosting;

Catalyst.TestHost.Faults.Install();
return await StandaloneHost.RunAsync(args, [typeof(StandaloneHost).Assembly, typeof(Catalyst.TestHost.ProbeOrchestrator).Assembly]);
