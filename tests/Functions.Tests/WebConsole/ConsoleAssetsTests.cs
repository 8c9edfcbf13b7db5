using System.Text;
using Catalyst.Functions.WebConsole;

namespace Catalyst.Functions.Tests.WebConsole;

/// <summary>The console's files get content-hashed names at start-up, imports included (issue 18).</summary>
public sealed class ConsoleAssetsTests
{
    static Dictionary<string, byte[]> Files(params (string Name, string Text)[] files) =>
        files.ToDictionary(f => f.Name, f => Encoding.UTF8.GetBytes(f.Text));

    const string Page = """<link rel="stylesheet" href="/assets/style.css"><script type="module" src="/assets/app.js"></script>""";

    [Fact]
    public void EveryFileIsNamedByItsContentAndImportsNameTheHashedSiblings()
    {
        var assets = new ConsoleAssets(Files(("index.html", Page), ("style.css", "body{}"),
            ("app.js", "import { a } from './api.js';\nimport('./lazy.js');"), ("api.js", "export const a = 1;"), ("lazy.js", "")));
        var app = assets.HashedNames["app.js"];
        Assert.Matches(@"^app\.[0-9a-f]{10}\.js$", app);
        var text = Encoding.UTF8.GetString(assets.Find(app)!.Bytes);
        Assert.Contains($"from './{assets.HashedNames["api.js"]}'", text);
        Assert.Contains($"import('./{assets.HashedNames["lazy.js"]}')", text);
        var page = Encoding.UTF8.GetString(assets.Index.Bytes);
        Assert.Contains($"/assets/{app}\"", page);
        Assert.Contains($"/assets/{assets.HashedNames["style.css"]}\"", page);
        Assert.Equal("text/css; charset=utf-8", assets.Find(assets.HashedNames["style.css"])!.ContentType);
        Assert.Null(assets.Find("app.js")); // only hashed names are served (they are cached forever)
    }

    [Fact]
    public void AChangedModuleRenamesItAndEveryModuleThatImportsIt()
    {
        var before = new ConsoleAssets(Files(("index.html", Page), ("app.js", "import './api.js';"), ("api.js", "export const a = 1;"), ("ui.js", "")));
        var after = new ConsoleAssets(Files(("index.html", Page), ("app.js", "import './api.js';"), ("api.js", "export const a = 2;"), ("ui.js", "")));
        Assert.NotEqual(before.HashedNames["api.js"], after.HashedNames["api.js"]);
        Assert.NotEqual(before.HashedNames["app.js"], after.HashedNames["app.js"]);
        Assert.Equal(before.HashedNames["ui.js"], after.HashedNames["ui.js"]);
        Assert.NotEqual(before.Index.ETag, after.Index.ETag);
    }

    [Fact]
    public void ACycleOrAMissingImportStopsTheStart()
    {
        Assert.Throws<InvalidOperationException>(() => new ConsoleAssets(Files(("index.html", Page), ("a.js", "import './b.js';"), ("b.js", "import './a.js';"))));
        Assert.Throws<InvalidOperationException>(() => new ConsoleAssets(Files(("index.html", Page), ("a.js", "import './gone.js';"))));
    }

    [Fact]
    public void TheShippedConsoleLoadsAndThePageNamesTheSignInMode()
    {
        var assets = new ConsoleAssets();
        foreach (var name in new[] { "app.js", "api.js", "ui.js", "wizard.js", "deployment.js", "stream.js", "list.js", "signin.js", "style.css" })
            Assert.True(assets.HashedNames.ContainsKey(name), name);
        Assert.Contains("<meta name=\"catalyst-auth\" content=\"off\">", Encoding.UTF8.GetString(assets.IndexFor("off").Bytes));
        // Every reference in the page is to a hashed name (an unhashed one would 404).
        Assert.DoesNotMatch(@"/assets/[a-z-]+\.(js|css|svg)""", Encoding.UTF8.GetString(assets.Index.Bytes));
        Assert.Equal(5, System.Text.RegularExpressions.Regex.Matches(Encoding.UTF8.GetString(assets.Index.Bytes), @"/assets/[a-z-]+\.[0-9a-f]{10}\.(js|css|svg)""").Count);
        Assert.NotEqual(assets.IndexFor("off").ETag, assets.IndexFor("session").ETag);
    }
}
