using TokenFunction.Settings;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.Cli;

/// <summary>The operator's actions are audit events too: tokenctl exports them with the same variables as the app.</summary>
public sealed class TokenCtlTelemetryTests
{
    private static readonly string TokenCtl = RepositoryRoot.Combine("TokenCtl", "bin", RepositoryRoot.Configuration, "net10.0", "tokenctl.dll");

    [Test]
    public async Task ClientAddAndRemove_ExportClientRegistered_GrantRevokedByTheOperator_AndClientRemoved()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var host = await ServiceHost.StartAsync();
        var clientId = TestClients.NewId("audited");
        var subject = "subject-" + Guid.NewGuid().ToString("N");

        var added = await RunAsync(receiver, "client", "add", "--id", clientId, "--generate-secret", "--redirect-uri", TestClients.RedirectUri, "--scope", "orders:read");
        Assert.That(added.ExitCode, Is.EqualTo(0), added.StandardError);
        var secret = added.StandardOutput.Trim();
        var clients = new TestClients(host.Services);
        using var http = new HttpClient();
        var redeemed = await CodeRedemption.RedeemAsync(http, host.TokenEndpoint, new RegisteredClient(clientId, secret), await clients.IssueCodeAsync(clientId, subject: subject));
        Assert.That(redeemed.IsError, Is.False, redeemed.Raw);
        var removed = await RunAsync(receiver, "client", "remove", "--id", clientId);
        Assert.That(removed.ExitCode, Is.EqualTo(0), removed.StandardError);

        var audit = receiver.LogRecords.Where(r => r.Scope == "TokenFunction.Audit" && Equals(r.Attributes.GetValueOrDefault("ClientId"), clientId)).ToList();
        Assert.That(audit.Select(r => r.EventName), Is.EqualTo(new[] { "ClientRegistered", "GrantRevoked", "ClientRemoved" }));
        Assert.Multiple(() =>
        {
            Assert.That(audit[0].Attributes["By"], Is.EqualTo("tokenctl"));
            Assert.That(audit[0].Attributes["Replaced"], Is.False);
            Assert.That(audit[1].Attributes["Reason"], Is.EqualTo("operator"));
            Assert.That(audit[1].Attributes["By"], Is.EqualTo("operator"));
            Assert.That(audit[1].Attributes["SubjectHash"], Is.EqualTo(TokenFunction.Telemetry.AuditLog.SubjectHash(subject)));
            Assert.That(audit[2].Attributes["GrantsRevoked"], Is.EqualTo(1L));
            Assert.That(receiver.MetricPoints.Where(p => p.Name == "oauth.grants.revoked" && Equals(p.Attributes.GetValueOrDefault("reason"), "operator")).Sum(p => p.Value), Is.EqualTo(1));
            Assert.That(receiver.Payloads.Where(p => p.Body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(secret)) >= 0), Is.Empty, "the generated secret is printed, never exported");
        });
    }

    private static Task<ProcessResult> RunAsync(OtlpReceiver receiver, params string[] arguments) =>
        ProcessRunner.RunAsync("dotnet", [TokenCtl, .. arguments], new Dictionary<string, string?>
        {
            [SettingNames.TablesConnectionString] = TestEnvironment.Azurite.ConnectionString,
            [TokenFunction.Settings.SettingNames.OtlpEndpoint] = receiver.BaseAddress.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }, TimeSpan.FromMinutes(1));
}
