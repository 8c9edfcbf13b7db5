using Microsoft.Playwright;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Catalyst.Console.Tests;

/// <summary>
/// Debian's chromium (/usr/bin/chromium, installed by test.sh and .ci/run like kubectl), driven by Playwright's .NET
/// driver, which ships inside its NuGet package: nothing is downloaded. A missing chromium fails the tests with the
/// command that installs it, rather than skipping them (CI must never pass without a browser).
/// </summary>
public sealed class ConsoleBrowser : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    IPlaywright? playwright;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("CATALYST_CHROMIUM") is { Length: > 0 } set ? set : Chromium;
        if (!File.Exists(executable))
            throw new InvalidOperationException($"chromium is not installed at {executable}: run `apt-get install -y --no-install-recommends chromium` (scripts/test.sh does as root)");
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // Root in a container has no user namespaces for the sandbox; the pages are our own loopback app.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A fresh context (no cookies, no cache) whose page records console errors and uncaught exceptions.</summary>
    public async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> NewPageAsync(string baseUrl, int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        // Chromium logs every non-2xx fetch as a console error ("Failed to load resource"), including the API's own
        // answers the console shows beside a field (400) or on sign-in (401). Those are not the page's errors: a failed
        // request counts only when it is the console's own page or asset; every script error and console.error counts.
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
                lock (errors) errors.Add($"console: {message.Text}");
        };
        page.PageError += (_, error) => { lock (errors) errors.Add($"page error: {error}"); };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && !new Uri(response.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal))
                lock (errors) errors.Add($"failed to load {response.Url}: {response.Status}");
        };
        page.RequestFailed += (_, request) =>
        {
            // An EventSource the page closes, or one cut when the page navigates, is not a failure of the console.
            if (request.ResourceType != "eventsource" && !new Uri(request.Url).AbsolutePath.EndsWith("/logs", StringComparison.Ordinal))
                lock (errors) errors.Add($"request failed {request.Url}: {request.Failure}");
        };
        return (context, page, errors);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<ConsoleBrowser>
{
    public const string Name = "chromium";
}
