using Catalyst.Bench;

// dotnet run -c Release --project bench/Catalyst.Bench -- <suite> [args]
//   reads                     GET one / list / healthz under 50 clients
//   provisions [N...]         N concurrent provisions (default 10 50), baseline, postback → watch start
//   coldstart                 process start → /healthz and /readyz, 5 runs
//   watch [N...]              deployments held in the event-driven watch, changes → timeline latency
//                             (default 200 500 1000)
//   watch-seeded [N...]       the same, deployments written straight into the watch (no Phase 0, no workflow)
//   faults [N]                SIGKILLs in every phase, an Azurite restart, then bad input (default 20 provisions)
//   badinput [B P K]          the bad-input part of faults alone (B wizard bodies, P kubeconfig PUTs, K hostile
//                             kubeconfigs with a valid bearer; default 10 000, 5 000, 10 000)
//   engine [N...]             the bare engine alone: N orchestrations of 14 no-op activity steps (default 1 10 50)
//   applies [N S]             issue 16: N provisions whose fake apply takes S s, on one host then two hosts of one
//                             task hub, CATALYST_TOFU_MAX_PARALLEL=4 each (default 8, 20): total time vs one apply's,
//                             applies per host
// BENCH_APP_<setting>=value in the environment passes <setting>=value to the host under test (engine experiments).
var suite = args.FirstOrDefault() ?? "";
var numbers = args.Skip(1).Select(int.Parse).ToArray();
var command = "dotnet run -c Release --project bench/Catalyst.Bench -- " + string.Join(' ', args);
// A run of `applies` with another apply time keeps its own section beside the default one's.
var report = new Report(suite == "applies" && numbers.Length > 1 && numbers[1] != 20 ? $"applies-{numbers[1]}s"
    : suite, command);
switch (suite)
{
    case "reads":
        await ReadsSuite.RunAsync(report);
        break;
    case "provisions":
        foreach (var n in numbers.DefaultIfEmpty(0).First() == 0 ? [10, 50] : numbers)
            await ProvisionsSuite.RunAsync(report, n, TimeSpan.FromMinutes(n >= 200 ? 20 : 10));
        break;
    case "coldstart":
        await ColdStartSuite.RunAsync(report);
        break;
    case "watch":
        await WatchSuite.RunAsync(report, numbers.Length == 0 ? [200, 500, 1000] : numbers, TimeSpan.FromSeconds(60));
        break;
    case "watch-seeded":
        await WatchSuite.RunAsync(report, numbers.Length == 0 ? [200, 500, 1000] : numbers, TimeSpan.FromSeconds(60),
            seeded: true);
        break;
    case "faults":
        await FaultsSuite.RunAsync(report, numbers.FirstOrDefault(20));
        await BadInputSuite.RunAsync(report);
        break;
    case "engine":
        foreach (var n in numbers.Length == 0 ? [1, 10, 50] : numbers)
            await ProvisionsSuite.EngineAsync(report, n, TimeSpan.FromMinutes(10));
        break;
    case "applies":
        await AppliesSuite.RunAsync(report, numbers.Length > 0 ? numbers[0] : 8,
            TimeSpan.FromSeconds(numbers.Length > 1 ? numbers[1] : 20));
        break;
    case "badinput":
        await BadInputSuite.RunAsync(report, numbers.Length > 0 ? numbers[0] : 10_000,
            numbers.Length > 1 ? numbers[1] : 5_000, numbers.Length > 2 ? numbers[2] : 10_000);
        break;
    default:
        Console.Error.WriteLine(
            "usage: dotnet run -c Release --project bench/Catalyst.Bench -- reads | provisions [N...] | coldstart | " +
            "watch [N...] | watch-seeded [N...] | faults [N] | badinput | engine [N...] | applies [N S]");
        return 2;
}
report.Save();
return 0;
