using Catalyst.Domain.ClusterCache;

namespace Catalyst.Domain.Tests.ClusterCache;

public class SelectorTests
{
    static readonly Dictionary<string, string> Labels = new()
    {
        ["app"] = "web", ["tier"] = "frontend", ["app.kubernetes.io/name"] = "catalyst", ["replicas"] = "3",
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app!=web", false)]
    [InlineData("app=db", false)]
    [InlineData("missing!=x", true)]
    [InlineData("app", true)]
    [InlineData("missing", false)]
    [InlineData("!missing", true)]
    [InlineData("!app", false)]
    [InlineData("app in (web, db)", true)]
    [InlineData("app in (db)", false)]
    [InlineData("app notin (db,cache)", true)]
    [InlineData("missing notin (x)", true)]
    [InlineData("app notin (web)", false)]
    [InlineData("app=web,tier=frontend", true)]
    [InlineData("app=web , tier=backend", false)]
    [InlineData("app.kubernetes.io/name=catalyst", true)]
    [InlineData("replicas>2", true)]
    [InlineData("replicas<3", false)]
    [InlineData("tier=", false)]
    [InlineData("missing=", false)]
    public void LabelSelectorsMatchAsKubernetesDoes(string selector, bool matches) =>
        Assert.Equal(matches, LabelSelector.Parse(selector).Matches(k => Labels.GetValueOrDefault(k)));

    [Theory]
    [InlineData("app in ()", "can't be empty")]
    [InlineData("app in web", "expected: '('")]
    [InlineData("app in (web", "expected: ',' or ')'")]
    [InlineData("app=web,", "expected: a label key")]
    [InlineData("app = web x", "expected: ',' or end")]
    [InlineData("-bad=1", "invalid label key")]
    [InlineData("app=bad value!", "expected: ',' or end")]
    [InlineData("app=" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "invalid label value")]
    [InlineData("Bad_Prefix/app=web", "prefix must be a DNS subdomain")]
    [InlineData("replicas>x", "must be an integer")]
    [InlineData("app exists", "expected: in, notin")]
    public void BadLabelSelectorsSayWhy(string selector, string why)
    {
        var error = Assert.Throws<SelectorException>(() => LabelSelector.Parse(selector));
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void ListQueryNamesTheBadParameterAndClampsTheLimit()
    {
        Assert.StartsWith("bad labelSelector: ", Assert.Throws<SelectorException>(() => ListQuery.Parse(null, "a in ()", null, null, null)).Message);
        Assert.StartsWith("bad fieldSelector: ", Assert.Throws<SelectorException>(() => ListQuery.Parse(null, null, "metadata.name", null, null)).Message);
        Assert.Equal("bad continue token", Assert.Throws<SelectorException>(() => ListQuery.Parse(null, null, null, null, "%%%")).Message);
        Assert.Equal(500, ListQuery.Parse(null, null, null, null, null).Limit);
        Assert.Equal(500, ListQuery.Parse(null, null, null, "0", null).Limit);
        Assert.Equal(500, ListQuery.Parse(null, null, null, "-3", null).Limit);
        Assert.Equal(5000, ListQuery.Parse(null, null, null, "9999", null).Limit);
        Assert.Equal(42, ListQuery.Parse(null, null, null, "42", null).Limit);
        Assert.Equal(1234, ListQuery.Parse(null, null, null, null, ListQuery.EncodeContinue(1234)).Offset);
        Assert.DoesNotContain('=', ListQuery.EncodeContinue(1)); // base64url, unpadded
    }

    [Fact]
    public void FieldSelectorsReadNameNamespaceAndLabelsAndIgnoreOtherFields()
    {
        var pod = Cached("""{"metadata":{"name":"api-1","namespace":"prod","labels":{"app":"api"}}}""");
        Assert.True(FieldSelector.Parse("metadata.name=api-1").Matches(pod));
        Assert.True(FieldSelector.Parse("metadata.namespace==prod,metadata.labels.app=api").Matches(pod));
        Assert.False(FieldSelector.Parse("metadata.namespace!=prod").Matches(pod));
        Assert.False(FieldSelector.Parse("metadata.labels.app=web").Matches(pod));
        Assert.True(FieldSelector.Parse("metadata.labels.missing!=x").Matches(pod));
        Assert.True(FieldSelector.Parse("status.phase=Failed").Matches(pod)); // not answered by the cache: ignored
        Assert.Throws<SelectorException>(() => FieldSelector.Parse("metadata.name"));
    }

    static CachedObject Cached(string json) =>
        CachedObject.From(System.Text.Json.JsonDocument.Parse(json).RootElement, KindRegistry.WithDefaults().Find("pod")!, "Pod")!;
}
