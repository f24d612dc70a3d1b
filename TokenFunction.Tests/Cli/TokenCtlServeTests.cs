using System.Globalization;
using TokenFunction.Settings;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.Cli;

/// <summary>
/// <c>tokenctl serve</c>, the host scripts/dev runs without Core Tools, stopped as a terminal or a process manager stops
/// it (SIGTERM): what it logged and measured before the signal still leaves the process. The exporters' own intervals
/// are set far beyond the test, so only the flush at shutdown can deliver anything.
/// </summary>
public sealed class TokenCtlServeTests
{
    private static readonly string TokenCtl = RepositoryRoot.Combine("TokenCtl", "bin", RepositoryRoot.Configuration, "net10.0", "tokenctl.dll");
    private static readonly string Never = ((int)TimeSpan.FromMinutes(10).TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    [Test]
    public async Task Serve_StoppedBySigterm_FlushesTheAuditEventAndMetricOfItsLastTokenAndItsConsoleLog()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        // In-process only to register the client and issue its code in the tables the served process reads.
        await using var setup = await ServiceHost.StartAsync();
        var clients = new TestClients(setup.Services);
        var client = await clients.AddConfidentialAsync();
        var code = await clients.IssueCodeAsync(client.ClientId);
        var port = FreePort.Next();
        var keyDirectory = Directory.CreateTempSubdirectory("serve-").FullName;
        using var serve = ProcessRunner.Start("dotnet", [TokenCtl, "serve", "--port", port.ToString(CultureInfo.InvariantCulture)], new Dictionary<string, string?>
        {
            [SettingNames.TablesConnectionString] = TestEnvironment.Azurite.ConnectionString,
            [SettingNames.TokenIssuer] = $"http://localhost:{port}",
            [SettingNames.TokenAudience] = ServiceHost.Audience,
            [SettingNames.SigningLocalKeyPath] = Path.Combine(keyDirectory, "signing-key.pem"),
            [SettingNames.OtlpEndpoint] = receiver.BaseAddress.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = Never,
            ["OTEL_BSP_SCHEDULE_DELAY"] = Never,
            ["OTEL_METRIC_EXPORT_INTERVAL"] = Never,
        });
        var output = serve.StandardOutput.ReadToEndAsync();
        var errors = serve.StandardError.ReadToEndAsync();
        try
        {
            await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromMinutes(1), () => serve.HasExited ? errors.Result : "still starting");
            using var http = new HttpClient();
            var token = await CodeRedemption.RedeemAsync(http, new Uri($"http://127.0.0.1:{port}/api/v1/oauth/token"), client, code);
            Assert.That(token.IsError, Is.False, token.Raw);

            var signal = await ProcessRunner.RunAsync("kill", ["-TERM", serve.Id.ToString(CultureInfo.InvariantCulture)], new Dictionary<string, string?>(), TimeSpan.FromSeconds(10));
            Assert.That(signal.ExitCode, Is.EqualTo(0), signal.StandardError);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await serve.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!serve.HasExited)
            {
                serve.Kill(entireProcessTree: true);
                await serve.WaitForExitAsync();
            }

            Directory.Delete(keyDirectory, recursive: true);
        }

        Assert.Multiple(() =>
        {
            Assert.That(serve.ExitCode, Is.EqualTo(0), errors.Result);
            Assert.That(receiver.LogRecords.Where(r => r.Scope == "TokenFunction.Audit" && Equals(r.Attributes.GetValueOrDefault("ClientId"), client.ClientId)).Select(r => r.EventName),
                Is.EqualTo(new[] { "TokenIssued" }), "the audit event of the token served just before the signal");
            Assert.That(receiver.MetricPoints.Where(p => p.Name == TokenFunction.Telemetry.TelemetryNames.TokensIssued && Equals(p.Attributes.GetValueOrDefault(TokenFunction.Telemetry.TelemetryNames.Tag.ClientId), client.ClientId)).Sum(p => p.Value),
                Is.EqualTo(1), "the issued-token count, exported only at shutdown");
            Assert.That(output.Result, Does.Contain($"client {client.ClientId}: issued (200)"), "the console log's last batch");
        });
    }
}
