namespace Catalyst.Testing;

/// <summary>Waits for a condition by polling it, never by sleeping a fixed time and hoping.</summary>
public static class Wait
{
    public static async Task<T> ForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await probe() is { } value) return value;
            }
            catch (Exception e)
            {
                last = e;
            }
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100));
        }
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0}s waiting for {what}" + (last is null ? "" : $" (last error: {last.Message})"));
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        ForAsync<object>(() => Task.FromResult<object?>(condition() ? true : null), timeout, what);
}
