using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Catalyst.Testing;

namespace Catalyst.Functions.Tests.Http.Deployments;

/// <summary>Issue 22: POST refuses the sizes the module refuses at plan, with the original's error shape.</summary>
public class ServerTypeApiTests(IsolatedApp fixture) : IClassFixture<IsolatedApp>
{
    readonly AppProcess app = fixture.App;

    [Theory]
    [InlineData("controlPlaneSize", "cx22", "fsn1")]
    [InlineData("controlPlaneSize", "cpx31", "ash")]
    [InlineData("controlPlaneSize", "cax21", "sin")]
    [InlineData("workerSize", "cx32", "fsn1")]
    public async Task A_removed_or_unoffered_size_is_400_on_its_field(string field, string size, string region)
    {
        var body = WizardBodies.Valid("sizes");
        body[field] = size;
        body["region"] = region;
        if (region != "fsn1") body[field == "controlPlaneSize" ? "workerSize" : "controlPlaneSize"] = "cpx32";
        body["workerCount"] = 1;
        using var response = await WizardBodies.PostAsync(app.Http, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal($"field: {field}", json["detail"]!.GetValue<string>());
        Assert.Contains($"\"{size}\"", json["error"]!.GetValue<string>());
        Assert.Equal(2, json.Count);
    }
}
