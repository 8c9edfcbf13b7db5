using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Catalyst.Functions.Hosting;
using Catalyst.FunctionsMode.Tests.WorkerProtocol.Rpc;
using DurableTask.AzureStorage;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Catalyst.FunctionsMode.Tests.WorkerProtocol;

/// <summary>
/// The Functions host's side of the worker protocol, for tests: it starts the unmodified Catalyst.Functions worker
/// process as the host does (its command line and FUNCTIONS_WORKER_RUNTIME), serves <c>FunctionRpc.EventStream</c>,
/// runs the handshake (start stream, init, metadata, load) and invokes functions: HTTP triggers through the ASP.NET
/// Core integration's proxying (the request goes to the worker's own HTTP endpoint with the invocation id header while
/// the invocation goes over gRPC), timer triggers, the durable client binding (pointed at standalone's sidecar), and
/// orchestrator and activity triggers fed from that sidecar's work items (<see cref="RunDurableWorkAsync"/>).
/// </summary>
public sealed class WorkerProtocolHost : IAsyncDisposable
{
    readonly WebApplication server;
    readonly Channel<StreamingMessage> outbound = Channel.CreateUnbounded<StreamingMessage>();
    readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> pending = new();
    readonly TaskCompletionSource<string> started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly ConcurrentQueue<string> output = new();
    Process? worker;

    WorkerProtocolHost(WebApplication server) => this.server = server;

    public string WorkerId { get; } = Guid.NewGuid().ToString();
    public IReadOnlyDictionary<string, string> Capabilities { get; private set; } = new Dictionary<string, string>();
    public IReadOnlyList<RpcFunctionMetadata> Functions { get; private set; } = [];
    public IReadOnlyDictionary<string, StatusResult> Loaded { get; private set; } = new Dictionary<string, StatusResult>();
    public ConcurrentQueue<RpcLog> Logs { get; } = new();
    public string Output => string.Join('\n', output);
    public Uri WorkerHttpUri => new(Capabilities["HttpUri"]);

    /// <summary>
    /// What the Durable extension hands a <c>[DurableClient]</c> parameter in an isolated app: JSON naming its gRPC
    /// endpoint. Here that endpoint is standalone's in-process sidecar (<see cref="DurableSidecar"/>) on the same task hub.
    /// </summary>
    public string? DurableClientPayload { get; private set; }

    DurableSidecar? sidecar;
    AzureStorageOrchestrationService? engine;

    /// <summary>Serves the Durable client protocol on the task hub the worker's settings name.</summary>
    public async Task StartDurableClientEndpointAsync(string connectionString, string hubName, int partitionCount)
    {
        engine = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = hubName,
            StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
            PartitionCount = partitionCount,
        });
        await engine.CreateIfNotExistsAsync();
        sidecar = await DurableSidecar.StartAsync(engine, new DrainableEngine(engine, TimeSpan.FromSeconds(5)), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CancellationToken.None);
        DurableClientPayload = new JsonObject
        {
            ["rpcBaseUrl"] = "http://" + sidecar.Channel.Target,
            ["taskHubName"] = hubName,
            ["connectionName"] = "AzureWebJobsStorage",
            ["requiredQueryStringParameters"] = "",
            ["httpBaseUrl"] = WorkerHttpUri + "runtime/webhooks/durabletask",
            // Without it the worker's client accepts no message at all (its limit is then 0 bytes); the extension
            // sends its MaxGrpcMessageSizeInBytes.
            ["maxGrpcMessageSizeInBytes"] = new Microsoft.Azure.WebJobs.Extensions.DurableTask.DurableTaskOptions().MaxGrpcMessageSizeInBytes,
        }.ToJsonString();
    }

    /// <summary>Starts the gRPC server and the worker process, and completes the handshake.</summary>
    public static async Task<WorkerProtocolHost> StartAsync(string appDirectory, IDictionary<string, string?> settings, TimeSpan timeout, bool frontDoor = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => { o.MaxReceiveMessageSize = null; o.MaxSendMessageSize = null; });
        builder.Services.AddSingleton<Holder>();
        builder.Services.AddSingleton<EventStreamService>();
        var app = builder.Build();
        app.MapGrpcService<EventStreamService>();
        var host = new WorkerProtocolHost(app);
        app.Services.GetRequiredService<Holder>().Host = host;
        await app.StartAsync();
        var grpcUri = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        if (frontDoor)
        {
            // The app's own callbacks (tofu's state backend, cloud-init's kubeconfig PUT) reach it through the front door,
            // as they reach the Functions host's HTTP port in production.
            await host.StartFrontDoorAsync();
            settings = new Dictionary<string, string?>(settings) { ["PORT"] = host.FrontDoor!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }
        host.worker = StartWorker(appDirectory, grpcUri, host.WorkerId, settings, host.output);
        using var cts = new CancellationTokenSource(timeout);
        await host.HandshakeAsync(appDirectory, cts.Token);
        return host;
    }

    static Process StartWorker(string appDirectory, string grpcUri, string workerId, IDictionary<string, string?> settings, ConcurrentQueue<string> output)
    {
        // The worker's command line as the host builds it for dotnet-isolated (the worker maps these switches onto
        // Functions:Worker:HostEndpoint, WorkerId, RequestId and GrpcMaxMessageLength).
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(appDirectory, "Catalyst.Functions.dll"), "--functions-uri", grpcUri + "/", "--functions-worker-id", workerId,
                     "--functions-request-id", Guid.NewGuid().ToString(), "--functions-grpc-max-message-length", "2147483647" })
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in settings) info.Environment[key] = value;
        info.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        info.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory; // the host sets it; function load requires it
        info.Environment.Remove("CATALYST_HOST_MODE"); // auto: the command line says the Functions host started it
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    async Task HandshakeAsync(string appDirectory, CancellationToken ct)
    {
        var streamWorker = await started.Task.WaitAsync(ct);
        if (streamWorker != WorkerId) throw new InvalidOperationException($"a worker named {streamWorker} connected, not {WorkerId}");

        var init = await RequestAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest { HostVersion = "4.1040.0", WorkerDirectory = appDirectory, FunctionAppDirectory = appDirectory },
        }, StreamingMessage.ContentOneofCase.WorkerInitResponse, "init", ct);
        Ensure(init.WorkerInitResponse.Result, "worker init");
        Capabilities = init.WorkerInitResponse.Capabilities.ToDictionary();

        var metadata = await RequestAsync(new StreamingMessage
        {
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory },
        }, StreamingMessage.ContentOneofCase.FunctionMetadataResponse, "metadata", ct);
        Ensure(metadata.FunctionMetadataResponse.Result, "function metadata");
        Functions = metadata.FunctionMetadataResponse.FunctionMetadataResults.ToList();

        var loaded = new Dictionary<string, StatusResult>();
        foreach (var function in Functions)
        {
            var response = await RequestAsync(new StreamingMessage
            {
                FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function },
            }, StreamingMessage.ContentOneofCase.FunctionLoadResponse, "load:" + function.FunctionId, ct);
            loaded[function.Name] = response.FunctionLoadResponse.Result;
        }
        Loaded = loaded;
    }

    public RpcFunctionMetadata Function(string name) => Functions.Single(f => f.Name == name);

    /// <summary>
    /// An HTTP trigger, as the host invokes it with the ASP.NET Core integration: the invocation over gRPC, and the
    /// request itself forwarded to the worker's HttpUri carrying <c>x-ms-invocation-id</c>; the worker pairs the two.
    /// </summary>
    public async Task<(HttpResponseMessage Http, InvocationResponse Invocation)> InvokeHttpAsync(string functionName, HttpRequestMessage request,
        IReadOnlyDictionary<string, string>? routeValues = null, CancellationToken ct = default)
    {
        var function = Function(functionName);
        var trigger = Bindings(function).Single(b => b["type"]!.GetValue<string>() == "httpTrigger");
        var invocationId = Guid.NewGuid().ToString();
        var url = new Uri(WorkerHttpUri, request.RequestUri!.ToString().TrimStart('/'));
        var http = new RpcHttp { Method = request.Method.Method, Url = url.ToString() };
        foreach (var header in request.Headers) http.Headers[header.Key.ToLowerInvariant()] = string.Join(",", header.Value);
        var invocation = NewInvocation(invocationId, function);
        invocation.InputData.Add(new ParameterBinding { Name = trigger["name"]!.GetValue<string>(), Data = new TypedData { Http = http } });
        foreach (var durableClient in Bindings(function).Where(b => b["type"]!.GetValue<string>() == "durableClient"))
            invocation.InputData.Add(new ParameterBinding
            {
                Name = durableClient["name"]!.GetValue<string>(),
                Data = new TypedData { String = DurableClientPayload ?? throw new InvalidOperationException("start the durable client endpoint first") },
            });
        foreach (var (key, value) in routeValues ?? new Dictionary<string, string>())
            invocation.TriggerMetadata[key] = new TypedData { String = value };
        invocation.TriggerMetadata["Headers"] = new TypedData { Json = System.Text.Json.JsonSerializer.Serialize(http.Headers) };
        invocation.TriggerMetadata["Query"] = new TypedData { Json = "{}" };

        request.RequestUri = url;
        request.Headers.Add("x-ms-invocation-id", invocationId);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var httpCall = client.SendAsync(request, ct);
        var rpcCall = RequestAsync(new StreamingMessage { InvocationRequest = invocation }, StreamingMessage.ContentOneofCase.InvocationResponse, "invoke:" + invocationId, ct);
        await Task.WhenAll(httpCall, rpcCall);
        return (await httpCall, (await rpcCall).InvocationResponse);
    }

    /// <summary>
    /// Runs the task hub's orchestrations and activities on the worker, as the Durable extension does for an isolated
    /// app: each work item of the sidecar becomes an invocation — an orchestrator gets the base64 protobuf
    /// OrchestratorRequest and returns a base64 OrchestratorResponse; an activity gets its JSON input and returns its result.
    /// </summary>
    public Task RunDurableWorkAsync(CancellationToken ct)
    {
        var client = new Microsoft.DurableTask.Protobuf.TaskHubSidecarService.TaskHubSidecarServiceClient(sidecar!.Channel);
        return Task.Run(async () =>
        {
            using var call = client.GetWorkItems(new Microsoft.DurableTask.Protobuf.GetWorkItemsRequest(), cancellationToken: ct);
            await foreach (var item in call.ResponseStream.ReadAllAsync(ct))
                _ = Task.Run(() => HandleWorkItemAsync(client, item, ct), ct);
        }, ct);
    }

    public ConcurrentQueue<string> DurableInvocations { get; } = new();

    async Task HandleWorkItemAsync(Microsoft.DurableTask.Protobuf.TaskHubSidecarService.TaskHubSidecarServiceClient client, Microsoft.DurableTask.Protobuf.WorkItem item, CancellationToken ct)
    {
        try
        {
            if (item.OrchestratorRequest is { } orchestration)
            {
                var started = orchestration.PastEvents.Concat(orchestration.NewEvents).First(e => e.ExecutionStarted is not null).ExecutionStarted;
                var function = Function(started.Name);
                var trigger = Bindings(function).Single(b => b["type"]!.GetValue<string>() == "orchestrationTrigger");
                var invocation = NewInvocation(Guid.NewGuid().ToString(), function);
                invocation.InputData.Add(new ParameterBinding { Name = trigger["name"]!.GetValue<string>(), Data = new TypedData { String = Convert.ToBase64String(orchestration.ToByteArray()) } });
                var answer = await InvokeAsync(invocation, ct);
                DurableInvocations.Enqueue($"orchestrator {started.Name} {answer.Result.Status}");
                if (answer.Result.Status != StatusResult.Types.Status.Success) return; // the engine re-delivers it
                var response = Microsoft.DurableTask.Protobuf.OrchestratorResponse.Parser.ParseFrom(Convert.FromBase64String(Text(answer.ReturnValue)!));
                response.CompletionToken = item.CompletionToken;
                await client.CompleteOrchestratorTaskAsync(response, cancellationToken: ct);
            }
            else if (item.ActivityRequest is { } activity)
            {
                var function = Function(activity.Name);
                var trigger = Bindings(function).Single(b => b["type"]!.GetValue<string>() == "activityTrigger");
                var invocation = NewInvocation(Guid.NewGuid().ToString(), function);
                invocation.InputData.Add(new ParameterBinding { Name = trigger["name"]!.GetValue<string>(), Data = new TypedData { String = ActivityInput(activity.Input) } });
                var answer = await InvokeAsync(invocation, ct);
                DurableInvocations.Enqueue($"activity {activity.Name} {answer.Result.Status} {answer.Result.Exception?.Message}");
                var response = new Microsoft.DurableTask.Protobuf.ActivityResponse
                {
                    InstanceId = activity.OrchestrationInstance.InstanceId,
                    TaskId = activity.TaskId,
                    CompletionToken = item.CompletionToken,
                };
                if (answer.Result.Status == StatusResult.Types.Status.Success) response.Result = Text(answer.ReturnValue);
                else response.FailureDetails = new Microsoft.DurableTask.Protobuf.TaskFailureDetails
                {
                    ErrorType = "ActivityFailed",
                    ErrorMessage = answer.Result.Exception?.Message ?? answer.Result.Result,
                };
                await client.CompleteActivityTaskAsync(response, cancellationToken: ct);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            DurableInvocations.Enqueue($"bridge error: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// An activity's input reaches the engine's work item as a one-element JSON array (the Durable Task Framework's
    /// parameter-list convention, seen here); the worker's activity converter wants the element, so the host unwraps it.
    /// </summary>
    static string ActivityInput(string? input)
    {
        if (string.IsNullOrEmpty(input)) return "null";
        var node = JsonNode.Parse(input);
        return node is JsonArray { Count: 1 } array ? array[0]?.ToJsonString() ?? "null" : input;
    }

    async Task<InvocationResponse> InvokeAsync(InvocationRequest invocation, CancellationToken ct) =>
        (await RequestAsync(new StreamingMessage { InvocationRequest = invocation }, StreamingMessage.ContentOneofCase.InvocationResponse, "invoke:" + invocation.InvocationId, ct)).InvocationResponse;

    static string? Text(TypedData? data) => data?.DataCase switch
    {
        TypedData.DataOneofCase.String => data.String,
        TypedData.DataOneofCase.Json => data.Json,
        TypedData.DataOneofCase.Int => data.Int.ToString(System.Globalization.CultureInfo.InvariantCulture),
        TypedData.DataOneofCase.Double => data.Double.ToString(System.Globalization.CultureInfo.InvariantCulture),
        TypedData.DataOneofCase.Bytes => System.Text.Encoding.UTF8.GetString(data.Bytes.ToByteArray()),
        _ => null,
    };

    WebApplication? frontDoorApp;

    /// <summary>The host's HTTP front: requests routed to HTTP functions by their route templates and methods.</summary>
    public Uri? FrontDoor { get; private set; }

    async Task StartFrontDoorAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        frontDoorApp = builder.Build();
        frontDoorApp.Run(ServeAsync);
        await frontDoorApp.StartAsync();
        FrontDoor = new Uri(frontDoorApp.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    async Task ServeAsync(Microsoft.AspNetCore.Http.HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        foreach (var function in Functions)
        {
            var trigger = Bindings(function).FirstOrDefault(b => b["type"]!.GetValue<string>() == "httpTrigger");
            if (trigger is null) continue;
            var methods = trigger["methods"]?.AsArray().Select(m => m!.GetValue<string>()).ToList();
            if (methods is not null && !methods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase)) continue;
            var values = new Microsoft.AspNetCore.Routing.RouteValueDictionary();
            var matcher = new Microsoft.AspNetCore.Routing.Template.TemplateMatcher(
                Microsoft.AspNetCore.Routing.Template.TemplateParser.Parse(trigger["route"]?.GetValue<string>() ?? function.Name), []);
            if (!matcher.TryMatch(path, values)) continue;

            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), path + context.Request.QueryString);
            if (body.Length > 0 || context.Request.ContentType is not null) request.Content = new ByteArrayContent(body.ToArray());
            foreach (var header in context.Request.Headers)
            {
                if (header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)) continue;
                if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray()))
                    request.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }
            var (response, _) = await InvokeHttpAsync(function.Name, request,
                values.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value!.ToString()!), context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers))
                if (!header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                    context.Response.Headers[header.Key] = header.Value.ToArray();
            await response.Content.CopyToAsync(context.Response.Body);
            return;
        }
        context.Response.StatusCode = 404;
    }

    /// <summary>A timer trigger with the TimerInfo the host's timer extension sends.</summary>
    public async Task<InvocationResponse> InvokeTimerAsync(string functionName, CancellationToken ct = default)
    {
        var function = Function(functionName);
        var trigger = Bindings(function).Single(b => b["type"]!.GetValue<string>() == "timerTrigger");
        var invocationId = Guid.NewGuid().ToString();
        var invocation = NewInvocation(invocationId, function);
        invocation.InputData.Add(new ParameterBinding
        {
            Name = trigger["name"]!.GetValue<string>(),
            Data = new TypedData { Json = """{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}""" },
        });
        return (await RequestAsync(new StreamingMessage { InvocationRequest = invocation }, StreamingMessage.ContentOneofCase.InvocationResponse, "invoke:" + invocationId, ct)).InvocationResponse;
    }

    static InvocationRequest NewInvocation(string invocationId, RpcFunctionMetadata function) => new()
    {
        InvocationId = invocationId,
        FunctionId = function.FunctionId,
        TraceContext = new RpcTraceContext { TraceParent = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01" },
    };

    public static IEnumerable<JsonObject> Bindings(RpcFunctionMetadata function) => function.RawBindings.Select(b => JsonNode.Parse(b)!.AsObject());

    async Task<StreamingMessage> RequestAsync(StreamingMessage message, StreamingMessage.ContentOneofCase expected, string key, CancellationToken ct)
    {
        var reply = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[key] = reply;
        message.RequestId = Guid.NewGuid().ToString();
        await outbound.Writer.WriteAsync(message, ct);
        var answer = await reply.Task.WaitAsync(ct);
        if (answer.ContentCase != expected) throw new InvalidOperationException($"expected {expected}, got {answer.ContentCase}");
        return answer;
    }

    void Received(StreamingMessage message)
    {
        var key = message.ContentCase switch
        {
            StreamingMessage.ContentOneofCase.StartStream => null,
            StreamingMessage.ContentOneofCase.WorkerInitResponse => "init",
            StreamingMessage.ContentOneofCase.FunctionMetadataResponse => "metadata",
            StreamingMessage.ContentOneofCase.FunctionLoadResponse => "load:" + message.FunctionLoadResponse.FunctionId,
            StreamingMessage.ContentOneofCase.InvocationResponse => "invoke:" + message.InvocationResponse.InvocationId,
            _ => null,
        };
        if (message.ContentCase == StreamingMessage.ContentOneofCase.StartStream) started.TrySetResult(message.StartStream.WorkerId);
        if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog) Logs.Enqueue(message.RpcLog);
        if (key is not null && pending.TryRemove(key, out var waiter)) waiter.TrySetResult(message);
    }

    static void Ensure(StatusResult result, string what)
    {
        if (result.Status != StatusResult.Types.Status.Success)
            throw new InvalidOperationException($"{what} failed: {result.Result} {result.Exception?.Message}");
    }

    public async ValueTask DisposeAsync()
    {
        if (worker is { HasExited: false })
        {
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }
        worker?.Dispose();
        outbound.Writer.TryComplete();
        if (sidecar is not null)
        {
            await sidecar.StopAsync(TimeSpan.FromSeconds(5));
            await sidecar.DisposeAsync();
        }
        if (frontDoorApp is not null) await frontDoorApp.DisposeAsync();
        await server.StopAsync();
        await server.DisposeAsync();
    }

    sealed class Holder { public WorkerProtocolHost Host = null!; }

    /// <summary>The one stream: the worker's messages in, the host's messages out.</summary>
    sealed class EventStreamService(Holder holder) : FunctionRpc.FunctionRpcBase
    {
        public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
        {
            var host = holder.Host;
            var writer = Task.Run(async () =>
            {
                await foreach (var message in host.outbound.Reader.ReadAllAsync(context.CancellationToken))
                    await responseStream.WriteAsync(message);
            });
            try
            {
                await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
                    host.Received(message);
            }
            catch (OperationCanceledException)
            {
            }
            await Task.WhenAny(writer, Task.Delay(1000));
        }
    }
}
