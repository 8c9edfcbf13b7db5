using System.Collections.Concurrent;
using Catalyst.Functions.Activities;

namespace Catalyst.TestHost;

/// <summary>
/// Transient storage faults in the workflow's writes, for the robustness tests: <c>TEST_FAULT_RECORD_PROGRESS=step:N</c>
/// makes RecordProgress throw a 503 from storage on its first N calls for that step of each deployment (N = <c>always</c>:
/// on every call). Only this test host sets the seam; the app never does.
/// </summary>
public static class Faults
{
    public static void Install()
    {
        if (Environment.GetEnvironmentVariable("TEST_FAULT_RECORD_PROGRESS") is not { Length: > 0 } spec) return;
        var (step, count) = (spec.Split(':')[0], spec.Split(':')[1]);
        var limit = count == "always" ? int.MaxValue : int.Parse(count, System.Globalization.CultureInfo.InvariantCulture);
        var calls = new ConcurrentDictionary<string, int>();
        ActivityFaults.BeforeRecordProgress = update =>
        {
            if (update.Step != step) return Task.CompletedTask;
            var call = calls.AddOrUpdate(update.DeploymentId, 1, (_, n) => n + 1);
            if (call > limit) return Task.CompletedTask;
            Console.WriteLine($"test fault: RecordProgress {update.DeploymentId} {step} call {call} fails");
            throw new Azure.RequestFailedException(503, "injected transient storage fault (The server is busy.)", "ServerBusy", null);
        };
    }
}
