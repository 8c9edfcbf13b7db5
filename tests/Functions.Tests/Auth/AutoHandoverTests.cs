using System.Net;
using Catalyst.Domain.Auth;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Domain.Tofu;
using Catalyst.Functions.Activities;
using Catalyst.Testing;
using Moq;

namespace Catalyst.Functions.Tests.Auth;

/// <summary>
/// The handover that fires when a deployment becomes ready (MintHandover), the SSE frame it produces, and the signer's
/// public JWK reaching tofu as <c>handover_jwt_public_key</c>.
/// </summary>
[Collection(ZeroCollection.Name)]
public sealed class AutoHandoverTests(ZeroApp zero)
{
    [Fact]
    public async Task ALiveStreamGetsTheHandoverFrameBeforeDone()
    {
        var cookie = await zero.SignInAsync("stream-owner@acme.example");
        var record = await HandoverMintTests.PutRecordAsync(zero, DeploymentStatuses.Ready, "stream.omani.works", "owner@stream.example", DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deployments/{record.Id}/logs");
        request.Headers.Add("Cookie", $"catalyst_session={cookie}");
        using var response = await zero.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reading = new StreamReader(await response.Content.ReadAsStreamAsync()).ReadToEndAsync();

        // The stream holds "done" for a just-ready deployment until the handover event is logged.
        await using var services = zero.Services();
        var activity = ActivatorUtilities.CreateInstance<MintHandoverActivity>(services);
        Assert.False(reading.IsCompleted);
        Assert.True(await activity.RunAsync(null!, new HandoverInput(record.Id, 1)));
        var body = await reading.WaitAsync(TimeSpan.FromSeconds(30));

        var stored = (await services.GetRequiredService<DeploymentStore>().GetAsync(record.Id))!.Result!.HandoverUrl!;
        Assert.StartsWith("https://console.stream.omani.works/auth/handover?token=", stored);
        var frame = body.IndexOf("event: handover-ready\ndata: {\"handoverURL\":\"" + stored + "\",\"expiresAt\":\"", StringComparison.Ordinal);
        Assert.True(frame >= 0, body);
        Assert.True(frame < body.IndexOf("event: done", StringComparison.Ordinal));
        var claims = TestJwts.Payload(Uri.UnescapeDataString(stored[(stored.IndexOf('=') + 1)..]));
        Assert.Equal(("owner@stream.example", "owner@stream.example"), (claims.GetProperty("sub").GetString(), claims.GetProperty("email").GetString()));
    }

    [Fact]
    public async Task ARetriedActivityKeepsTheFirstUrlAndLogsOneEvent()
    {
        var record = await HandoverMintTests.PutRecordAsync(zero, DeploymentStatuses.Ready, "retry.omani.works", "owner@retry.example", DateTimeOffset.UtcNow);
        await using var services = zero.Services();
        var activity = ActivatorUtilities.CreateInstance<MintHandoverActivity>(services);
        Assert.True(await activity.RunAsync(null!, new HandoverInput(record.Id, 1)));
        var first = (await services.GetRequiredService<DeploymentStore>().GetAsync(record.Id))!.Result!.HandoverUrl;
        Assert.True(await activity.RunAsync(null!, new HandoverInput(record.Id, 1)));
        Assert.Equal(first, (await services.GetRequiredService<DeploymentStore>().GetAsync(record.Id))!.Result!.HandoverUrl);
        var events = await services.GetRequiredService<EventLog>().ReadAsync(record.Id);
        var handover = Assert.Single(events, e => e.Phase == HandoverMint.ReadyPhase);
        Assert.Contains(first!, handover.Message);

        // A stale run or a deployment that is not ready is left alone.
        Assert.False(await activity.RunAsync(null!, new HandoverInput(record.Id, 2)));
        var provisioning = await HandoverMintTests.PutRecordAsync(zero, DeploymentStatuses.Provisioning, "p.omani.works");
        Assert.False(await activity.RunAsync(null!, new HandoverInput(provisioning.Id, 1)));
        Assert.Null((await services.GetRequiredService<DeploymentStore>().GetAsync(provisioning.Id))!.Result!.HandoverUrl);
    }

    [Fact]
    public async Task WithoutASignerTheTimelineSaysWhyNoLinkCame()
    {
        var record = await HandoverMintTests.PutRecordAsync(zero, DeploymentStatuses.Ready, "nosigner.omani.works");
        await using var services = zero.Services(signer: false);
        Assert.False(await ActivatorUtilities.CreateInstance<MintHandoverActivity>(services).RunAsync(null!, new HandoverInput(record.Id, 1)));
        var skipped = Assert.Single(await services.GetRequiredService<EventLog>().ReadAsync(record.Id));
        Assert.Equal((HandoverMint.SkippedPhase, EventLevels.Warn), (skipped.Phase, skipped.Level));
        Assert.Contains("CATALYST_HANDOVER_KEY_PATH is not set", skipped.Message);
        Assert.Null((await services.GetRequiredService<DeploymentStore>().GetAsync(record.Id))!.Result!.HandoverUrl);
    }

    [Fact]
    public async Task TofuGetsTheSignersPublicJwk()
    {
        var record = await HandoverMintTests.PutRecordAsync(zero, DeploymentStatuses.Provisioning, "tofu.omani.works");
        await using var services = zero.Services(s => s.AddSingleton(Mock.Of<ITofuRunner>()));
        await using var run = await services.GetRequiredService<TofuRunContext>().PrepareAsync(record.Id, 1, CancellationToken.None);
        var jwk = Assert.IsType<string>(run.Invocation.Variables["handover_jwt_public_key"]);
        Assert.Equal(File.ReadAllText(zero.KeyPath + ".pub.jwk"), jwk);
        Assert.Equal(services.GetRequiredService<SignerSource>().Signer!.PublicJwk, jwk);
    }
}
