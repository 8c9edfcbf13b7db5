namespace Catalyst.Domain.Tofu;

/// <summary>
/// Where this process serves HTTP, for children that call back into it (tofu's state backend). Standalone sets it
/// once Kestrel has bound (PORT=0 picks a port); otherwise it is PORT on loopback.
/// </summary>
public sealed class SelfAddress(string baseUrl)
{
    public string BaseUrl { get; set; } = baseUrl.TrimEnd('/');
}
