using System.Net;
using Catalyst.Domain.Auth;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Store;
using Catalyst.Domain.Tofu;
using Catalyst.Functions.Activities;
using Catalyst.Functions.Tests.Http.Auth;
using Catalyst.Testing;
using Moq;

namespace Catalyst.Functions.Tests.Activities;

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
        var record = await HandoverMintTests.PutRecordAsync(zero, DeploymentStatuses.Ready, "stream.omani.works", "owner@stream.example", DateTimeOffset.UtcNow,
            ownerEmail: "stream-owner@acme.example");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deployments/{record.Id}/logs");
        request.Headers.Add("Cookie", $"catalyst_session={cookie}");
        using var response = await zero.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reading = new StreamReader(await response.Content.ReadAsStreamAsync()).ReadToEndAsync();

        // The stream holds "done" for a just-ready deployment until the handover event is logged.
        await using var services = zero.Services();
        var activity = ActivatorUtilities.CreateInstance<AnnounceHandoverActivity>(services);
        Assert.False(reading.IsCompleted);
        Assert.True(await activity.RunAsync(null!, new HandoverInput(record.Id, 1)));
        var body = await reading.WaitAsync(TimeSpan.FromSeconds(30));

        // The frame says where the owner mints the link; it carries no token (issue 14), and the stream holds "done" for it.
        var frame = body.IndexOf("event: handover-ready\n", StringComparison.Ordinal);
        Assert.True(frame >= 0, body);
        Assert.True(frame < body.IndexOf("event: done", StringComparison.Ordinal));
        var data = body[frame..].Split('\n')[1];
        Assert.Equal($"data: {{\"deploymentId\":\"{record.Id}\",\"mintURL\":\"/api/v1/deployments/{record.Id}/mint-handover-token\"}}", data);
        Assert.DoesNotMatch(@"eyJ[\w-]+\.[\w-]+\.", body);
    }

    [Fact]
    public async Task ARetriedActivityLogsOneEventWithoutAToken()
    {
        var record = await HandoverMintTests.PutRecordAsync(zero, DeploymentStatuses.Ready, "retry.omani.works", "owner@retry.example", DateTimeOffset.UtcNow);
        await using var services = zero.Services();
        var activity = ActivatorUtilities.CreateInstance<AnnounceHandoverActivity>(services);
        Assert.True(await activity.RunAsync(null!, new HandoverInput(record.Id, 1)));
        Assert.True(await activity.RunAsync(null!, new HandoverInput(record.Id, 1)));
        var events = await services.GetRequiredService<EventLog>().ReadAsync(record.Id);
        var handover = Assert.Single(events, e => e.Phase == HandoverMint.ReadyPhase);
        Assert.DoesNotContain("token=", handover.Message);

        // A stale run or a deployment that is not ready is left alone.
        Assert.False(await activity.RunAsync(null!, new HandoverInput(record.Id, 2)));
        var provisioning = await HandoverMintTests.PutRecordAsync(zero, DeploymentStatuses.Provisioning, "p.omani.works");
        Assert.False(await activity.RunAsync(null!, new HandoverInput(provisioning.Id, 1)));
        Assert.DoesNotContain(await services.GetRequiredService<EventLog>().ReadAsync(provisioning.Id), e => e.Phase == HandoverMint.ReadyPhase);
    }

    [Fact]
    public async Task WithoutASignerTheTimelineSaysWhyNoLinkCame()
    {
        var record = await HandoverMintTests.PutRecordAsync(zero, DeploymentStatuses.Ready, "nosigner.omani.works");
        await using var services = zero.Services(signer: false);
        Assert.False(await ActivatorUtilities.CreateInstance<AnnounceHandoverActivity>(services).RunAsync(null!, new HandoverInput(record.Id, 1)));
        var skipped = Assert.Single(await services.GetRequiredService<EventLog>().ReadAsync(record.Id));
        Assert.Equal((HandoverMint.SkippedPhase, EventLevels.Warn), (skipped.Phase, skipped.Level));
        Assert.Contains("CATALYST_HANDOVER_KEY_PATH is not set", skipped.Message);
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
