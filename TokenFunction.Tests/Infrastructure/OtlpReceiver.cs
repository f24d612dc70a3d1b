using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TokenFunction.Tests.Infrastructure;

/// <summary>
/// An OTLP/HTTP receiver on loopback (POST /v1/traces, /v1/metrics, /v1/logs, protobuf bodies), as a collector or the
/// Aspire dashboard receives a service's telemetry. It keeps every payload's raw bytes (for scans for secrets) and
/// decodes them with <see cref="OtlpDecoder"/>.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> _payloads = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<(string Signal, byte[] Body)> Payloads => [.. _payloads];

    public IReadOnlyList<OtlpSpan> Spans => [.. Bodies("traces").SelectMany(OtlpDecoder.Spans)];

    public IReadOnlyList<OtlpMetricPoint> MetricPoints => [.. Bodies("metrics").SelectMany(OtlpDecoder.MetricPoints)];

    public IReadOnlyList<OtlpLogRecord> LogRecords => [.. Bodies("logs").SelectMany(OtlpDecoder.LogRecords)];

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        foreach (var signal in new[] { "traces", "metrics", "logs" })
        {
            app.MapPost("/v1/" + signal, async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body, context.RequestAborted);
                receiver._payloads.Enqueue((signal, body.ToArray()));
                // An empty Export*ServiceResponse: everything accepted.
                context.Response.ContentType = "application/x-protobuf";
                return Results.Empty;
            });
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.BaseAddress = new Uri(address);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private IEnumerable<byte[]> Bodies(string signal) => _payloads.Where(p => p.Signal == signal).Select(p => p.Body);
}
