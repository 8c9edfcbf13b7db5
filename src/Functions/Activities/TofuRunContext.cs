using System.Threading.Channels;
using Catalyst.Domain.Auth;
using Catalyst.Domain.Deployments;
using Catalyst.Domain.Hetzner;
using Catalyst.Domain.Store;
using Catalyst.Domain.Tofu;
using Catalyst.Domain.Wizard;
using Microsoft.Extensions.Logging;
using static Catalyst.Domain.Deployments.Timeline;

namespace Catalyst.Functions.Activities;

/// <summary>
/// Assembles what a tofu run needs from the record, the vault and configuration, and turns its phases and lines
/// into timeline events (batched: a busy apply prints hundreds of lines). Tofu's hcloud provider gets the app's Hetzner
/// endpoint, and an apply adopts what an earlier run left out of state (<see cref="TofuAdoption"/>), reporting it here.
/// </summary>
public sealed class TofuRunContext(
    DeploymentStore store, Vault vault, EventLog events, ITofuRunner runner, TofuBackendCredentials credentials,
    Func<OperatorSecrets> operatorSecrets, Func<ProvisionSettings> settings, TofuSettings tofu, SelfAddress self,
    Redactor redactor,
    TimeProvider time, SignerSource signer,
    HetznerEndpoint hetznerEndpoint, HetznerSweep hetzner, ILogger<TofuRunContext>? log = null)
{
    /// <summary>An activity found every tofu slot of this replica
    /// in use and hands its work back to the queue.</summary>
    public void NoSlot(string deploymentId, string operation) =>
        log?.LogInformation(
            "No free tofu slot on this replica ({Setting}): the {Operation} of {DeploymentId} goes back to the queue " +
            "for a replica with room",
            TofuSettings.MaxParallelSetting, operation, deploymentId);

    /// <summary>
    /// What tofu gets as <c>HCLOUD_ENDPOINT</c>: the configured API with its version path, or nothing for the public
    /// API (the provider's own default), so tofu and the app always see one Hetzner.
    /// </summary>
    public static string? HcloudEndpoint(HetznerEndpoint endpoint) =>
        endpoint.BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') is var url
            && url == HetznerEndpoint.Default.GetLeftPart(UriPartial.Path).TrimEnd('/')
            ? null
            : url + "/v1";

    public ITofuRunner Runner => runner;

    public async Task<Run> PrepareAsync(string deploymentId, int runNumber, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(deploymentId, cancellationToken)
                     ?? throw new InvalidOperationException($"deployment {deploymentId} has no record");
        var secrets = new TofuVariables.DeploymentSecrets(
            await vault.GetStringAsync(deploymentId, VaultEntries.HetznerToken, cancellationToken) ?? "",
            await vault.GetStringAsync(deploymentId, VaultEntries.ObjectStorageSecretKey, cancellationToken) ?? "",
            await vault.GetStringAsync(deploymentId, VaultEntries.KubeconfigBearer, cancellationToken) ?? "",
            HandoverJwtPublicKey: signer.Signer?.PublicJwk ?? "");
        var current = settings();
        var ops = operatorSecrets();
        var secretVariables = TofuVariables.Secret(secrets, ops);
        var backend = credentials.BackendFor(deploymentId, tofu.BackendUrl ?? self.BaseUrl);
        var invocation = new TofuInvocation(deploymentId,
            TofuVariables.Plain(deploymentId, record.Request, current, secrets.HandoverJwtPublicKey),
            secretVariables, backend, runNumber) { HetznerEndpoint = HcloudEndpoint(hetznerEndpoint) };
        var runRedactor =
            redactor.With(secretVariables.Values.Append(backend.Password).Append(backend.EncryptionPassphrase));
        var hetznerToken = secrets.HetznerToken;
        return new Run(store, events, time, deploymentId, runNumber, runRedactor, invocation,
            record.Request.SovereignFqdn,
            hetznerToken.Length == 0 ? null : ct => hetzner.ListAsync(deploymentId, hetznerToken, ct));
    }

    public sealed class Run : IAsyncDisposable
    {
        readonly DeploymentStore store;
        readonly EventLog events;
        readonly TimeProvider time;
        readonly string deploymentId;
        readonly int runNumber;
        readonly Redactor redactor;
        readonly Channel<DeploymentEvent> pending = Channel.CreateUnbounded<DeploymentEvent>();
        readonly Task pump;
        // Unique per execution: a re-delivered activity is a new run of tofu whose lines are new events.
        readonly string execution = Guid.NewGuid().ToString("N")[..8];
        long line;

        internal Run(DeploymentStore store, EventLog events, TimeProvider time, string deploymentId, int runNumber,
            Redactor redactor,
            TofuInvocation invocation, string sovereignFqdn,
            Func<CancellationToken, Task<IReadOnlyList<Leftover>>>? listOwned)
        {
            SovereignFqdn = sovereignFqdn;
            this.store = store;
            this.events = events;
            this.time = time;
            this.deploymentId = deploymentId;
            this.runNumber = runNumber;
            this.redactor = redactor;
            Invocation = listOwned is null ? invocation
                : invocation with { Adoption = new TofuAdoptionSource(listOwned, OnAdoptionAsync) };
            pump = Task.Run(PumpAsync);
        }

        public TofuInvocation Invocation { get; }
        public string SovereignFqdn { get; }

        public string Redact(string text) => redactor.Redact(text);

        public async Task OnPhaseAsync(TofuPhase phase)
        {
            var now = time.GetUtcNow();
            await store.UpdateAsync(deploymentId,
                r => r.Run == runNumber ? r with { Phase = Phases.Tofu, Step = phase.Name } : null);
            pending.Writer.TryWrite(new DeploymentEvent
            {
                Key = EventKeys.Detail(deploymentId, runNumber, execution, phase.Name), Time = now, Phase = phase.Name,
                Level = EventLevels.Info, Message = phase.Message,
            });
        }

        /// <summary>An info event per adopted object, a warn event per
        /// unmatched one, and the unmatched count on the record.</summary>
        public async Task OnAdoptionAsync(AdoptionPlan plan)
        {
            var now = time.GetUtcNow();
            foreach (var adopted in plan.Imports)
                pending.Writer.TryWrite(new DeploymentEvent
                {
                    Key = EventKeys.Detail(deploymentId, runNumber, Steps.Adopt,
                        $"{adopted.Object.Kind}/{adopted.Object.Id}"), Time = now, Phase = Phases.TofuAdopt,
                        Level = EventLevels.Info,
                    Message = $"adopted {adopted.Address} (id {adopted.Object.Id}) created by an earlier run",
                });
            foreach (var orphan in plan.Unmatched)
                pending.Writer.TryWrite(new DeploymentEvent
                {
                    Key = EventKeys.Detail(deploymentId, runNumber, Steps.Unadopted, $"{orphan.Kind}/{orphan.Id}"),
                    Time = now, Phase = Phases.TofuAdopt, Level = EventLevels.Warn,
                    Message =
                        $"{orphan.Kind}/{orphan.Id} \"{orphan.Name}\" carries this deployment's owner label but " +
                        "matches nothing the module creates; " +
                              $"it was not adopted and tofu will not manage it (remove it " +
                              $"with: {HetznerSweep.CommandFor(orphan)})",
                });
            var count = plan.Unmatched.Count;
            await store.UpdateAsync(deploymentId, r => r.Run == runNumber && r.UnadoptedResources != count
                ? r with { UnadoptedResources = count } : null);
        }

        /// <summary>A timeline note of this run's own (not a tofu line), keyed
        /// by its text so a re-delivered activity writes it once.</summary>
        public void Note(string phase, string level, string message) =>
            pending.Writer.TryWrite(new DeploymentEvent
            {
                Key = EventKeys.Detail(deploymentId, runNumber, Steps.Note,
                    $"{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
                        System.Text.Encoding.UTF8.GetBytes(message)))[..16]}"),
                Time = time.GetUtcNow(), Phase = phase, Level = level, Message = message,
            });

        public Task OnLineAsync(TofuLine tofuLine)
        {
            var n = Interlocked.Increment(ref line);
            pending.Writer.TryWrite(new DeploymentEvent
            {
                Key = EventKeys.Detail(deploymentId, runNumber, execution, $"line:{n}"),
                Time = time.GetUtcNow(),
                Phase = Phases.Tofu,
                Level = tofuLine.Stream == TofuStream.Stderr ? EventLevels.Warn : EventLevels.Info,
                // The runner has redacted the run's secrets; the event log redacts the operator's.
                Message = tofuLine.Text,
            });
            return Task.CompletedTask;
        }

        public async Task FlushAsync()
        {
            pending.Writer.TryComplete();
            await pump;
        }

        public async ValueTask DisposeAsync() => await FlushAsync();

        async Task PumpAsync()
        {
            var batch = new List<DeploymentEvent>();
            while (await pending.Reader.WaitToReadAsync())
            {
                while (batch.Count < 200 && pending.Reader.TryRead(out var e)) batch.Add(e);
                await events.AppendAsync(deploymentId, batch, CancellationToken.None);
                batch.Clear();
            }
        }
    }
}
