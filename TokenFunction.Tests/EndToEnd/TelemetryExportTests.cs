using System.Text;
using Duende.IdentityModel.Client;
using TokenFunction.Functions;
using TokenFunction.Tests.Infrastructure;

namespace TokenFunction.Tests.EndToEnd;

/// <summary>
/// Issue 12's acceptance: the local host exports over OTLP to a receiver on loopback while it serves a code exchange, a
/// replay of the same code (another verifier: not the lost-answer retry) and a request with a wrong client secret.
/// What arrives holds the server spans with the OAuth outcome, Table Storage spans under them, the metrics with their
/// attributes, the audit events with their fields, and none of the secrets. The host is stopped before anything is read:
/// stopping flushes every exporter, so nothing here waits for an export interval.
/// </summary>
public sealed class TelemetryExportTests
{
    private readonly string _subject = "subject-" + Guid.NewGuid().ToString("N");
    private readonly string _replayVerifier = TestClients.NewVerifier();
    private readonly string _wrongSecret = "wrong-" + Guid.NewGuid().ToString("N");
    private OtlpReceiver _receiver = null!;
    private RegisteredClient _client = null!;
    private IssuedCode _code = null!;
    private TokenResponse _exchange = null!;
    private TokenResponse _replay = null!;
    private TokenResponse _refused = null!;

    [OneTimeSetUp]
    public async Task ServeAnExchangeAReplayAndARefusal_ThenStopTheHostAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        var host = await ServiceHost.StartAsync(new Dictionary<string, string?>
        {
            [TokenFunction.Settings.SettingNames.OtlpEndpoint] = _receiver.BaseAddress.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        try
        {
            using var http = new HttpClient();
            var clients = new TestClients(host.Services);
            _client = await clients.AddConfidentialAsync(grantTypes: TestClients.WithRefreshTokens);
            _code = await clients.IssueCodeAsync(_client.ClientId, subject: _subject);
            _exchange = await CodeRedemption.RedeemAsync(http, host.TokenEndpoint, _client, _code);
            _replay = await CodeRedemption.RedeemAsync(http, host.TokenEndpoint, _client, _code with { Verifier = _replayVerifier });
            _refused = await CodeRedemption.RedeemAsync(http, host.TokenEndpoint, _client with { Secret = _wrongSecret }, _code);
        }
        finally
        {
            await host.DisposeAsync();
        }

        Assert.Multiple(() =>
        {
            Assert.That(_exchange.IsError, Is.False, _exchange.Raw);
            Assert.That(_exchange.RefreshToken, Is.Not.Null);
            Assert.That(_replay.Error, Is.EqualTo("invalid_grant"));
            Assert.That(_refused.HttpStatusCode, Is.EqualTo(System.Net.HttpStatusCode.Unauthorized));
        });
    }

    [OneTimeTearDown]
    public async Task StopTheReceiverAsync() => await _receiver.DisposeAsync();

    [Test]
    public void EachRequest_HasAServerSpanWithTheRouteStatusAndOAuthOutcome()
    {
        var servers = TokenServerSpans();

        Assert.That(servers, Has.Count.EqualTo(3), Dump());
        Assert.Multiple(() =>
        {
            Assert.That(servers.Select(s => s.Attributes["oauth.grant_type"]), Has.All.EqualTo("authorization_code"));
            Assert.That(servers.Select(s => s.Attributes["oauth.client_id"]), Has.All.EqualTo(_client.ClientId));
            Assert.That(servers.Select(s => s.Attributes.GetValueOrDefault("http.route")), Has.All.EqualTo("/" + Routes.Token));
            Assert.That(servers.Select(s => Status(s)), Is.EquivalentTo(new long[] { 200, 400, 401 }));
            Assert.That(servers.Single(s => Status(s) == 200).Attributes.ContainsKey("oauth.error"), Is.False);
            Assert.That(servers.Single(s => Status(s) == 400).Attributes["oauth.error"], Is.EqualTo("invalid_grant"));
            Assert.That(servers.Single(s => Status(s) == 401).Attributes["oauth.error"], Is.EqualTo("invalid_client"));
        });
    }

    [Test]
    public void TheExchange_HasTableStorageSpansInItsTrace_UnderItsServerSpan()
    {
        var server = TokenServerSpans().Single(s => Status(s) == 200);
        var spans = _receiver.Spans.Where(s => s.TraceId == server.TraceId).ToDictionary(s => s.SpanId);
        var tables = spans.Values.Where(s => s.Scope.StartsWith("Azure.Data.Tables", StringComparison.Ordinal)).ToList();

        Assert.That(tables, Is.Not.Empty, Dump());
        Assert.That(tables.Select(t => DescendsFrom(t, server.SpanId, spans)), Has.All.True, "every Table Storage span hangs under the request's server span");
    }

    [Test]
    public void AnAzureSdkCall_IsOneDependencySpan_NotAlsoAnHttpClientSpan()
    {
        var spans = _receiver.Spans.ToDictionary(s => s.SpanId);
        var azureHttp = spans.Values.Where(s => s.Scope == "Azure.Core.Http").ToList();

        Assert.That(azureHttp, Is.Not.Empty, Dump());
        Assert.That(spans.Values.Where(s => s.Scope == "System.Net.Http" && spans.GetValueOrDefault(s.ParentSpanId)?.Scope == "Azure.Core.Http"), Is.Empty);
    }

    [Test]
    public void TheMetrics_ArriveWithTheirAttributes()
    {
        var points = _receiver.MetricPoints.Where(p => p.Scope == "TokenFunction").ToList();

        Assert.Multiple(() =>
        {
            Assert.That(Sum(points, "oauth.tokens.issued", ("grant_type", "authorization_code"), ("client_id", _client.ClientId)), Is.EqualTo(1), Dump());
            Assert.That(Sum(points, "oauth.requests.rejected", ("error", "invalid_grant"), ("grant_type", "authorization_code")), Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(points, "oauth.requests.rejected", ("error", "invalid_client"), ("grant_type", "authorization_code")), Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(points, "oauth.grants.revoked", ("reason", "code_replay")), Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(points, "oauth.request.duration", ("endpoint", "token"), ("grant_type", "authorization_code"), ("status", 200L)), Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(points, "oauth.request.duration", ("endpoint", "token"), ("grant_type", "authorization_code"), ("status", 401L)), Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(points, "oauth.storage.duration", ("operation", "read"), ("outcome", "ok")), Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(points, "oauth.storage.duration", ("operation", "write"), ("outcome", "ok")), Is.GreaterThanOrEqualTo(1), "the redemption's conditional Merge");
            Assert.That(Sum(points, "oauth.signing.duration", ("signer", "local"), ("outcome", "ok")), Is.GreaterThanOrEqualTo(1));
            Assert.That(points.Where(p => p.Name.EndsWith(".duration", StringComparison.Ordinal)).Select(p => p.Unit), Has.All.EqualTo("s"));
        });
    }

    [Test]
    public void TheAuditEvents_ArriveWithTheirIdsAndFields_AndTheSubjectOnlyHashed()
    {
        var audit = _receiver.LogRecords.Where(r => r.Scope == "TokenFunction.Audit" && Equals(r.Attributes.GetValueOrDefault("ClientId"), _client.ClientId)).ToList();
        var subjectHash = TokenFunction.Telemetry.AuditLog.SubjectHash(_subject);
        var grant = audit.Select(r => r.Attributes.GetValueOrDefault("Grant") as string).FirstOrDefault(g => g is not null);

        Assert.That(grant, Has.Length.EqualTo(8), Dump());
        Assert.Multiple(() =>
        {
            var issued = Single(audit, 5001, "TokenIssued");
            Assert.That(issued.Attributes["GrantType"], Is.EqualTo("authorization_code"));
            Assert.That(issued.Attributes["Grant"], Is.EqualTo(grant));
            Assert.That(issued.Attributes["SubjectHash"], Is.EqualTo(subjectHash));

            var replay = Single(audit, 5002, "CodeReplayDetected");
            Assert.That(replay.Attributes["Grant"], Is.EqualTo(grant));
            Assert.That(replay.Attributes["SubjectHash"], Is.EqualTo(subjectHash));

            var revoked = Single(audit, 5004, "GrantRevoked");
            Assert.That(revoked.Attributes["Grant"], Is.EqualTo(grant));
            Assert.That(revoked.Attributes["SubjectHash"], Is.EqualTo(subjectHash));
            Assert.That(revoked.Attributes["Reason"], Is.EqualTo("code_replay"));
            Assert.That(revoked.Attributes["By"], Is.EqualTo(_client.ClientId));

            Assert.That(audit.Select(r => r.ResourceServiceName), Has.All.EqualTo("token-service"));
        });
    }

    [Test]
    public void NoExportedPayload_ContainsACodeVerifierSecretTokenOrTheSubject()
    {
        var secrets = new Dictionary<string, string>
        {
            ["code"] = _code.Code,
            ["verifier"] = _code.Verifier!,
            ["replayed verifier"] = _replayVerifier,
            ["client secret"] = _client.Secret!,
            ["wrong client secret"] = _wrongSecret,
            ["access token"] = _exchange.AccessToken!,
            ["access token signature"] = _exchange.AccessToken!.Split('.')[2],
            ["refresh token"] = _exchange.RefreshToken!,
            ["subject"] = _subject,
        };
        var payloads = _receiver.Payloads;

        Assert.That(payloads.Select(p => p.Signal).Distinct(), Is.EquivalentTo(new[] { "traces", "metrics", "logs" }), "the scan covers every signal");
        var found = (from secret in secrets
                     from payload in payloads
                     where payload.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret.Value)) >= 0
                     select $"{secret.Key} in {payload.Signal}").Distinct().ToList();
        Assert.That(found, Is.Empty);
    }

    private List<OtlpSpan> TokenServerSpans() =>
        [.. _receiver.Spans.Where(s => s.Kind == 2 && Equals(s.Attributes.GetValueOrDefault("oauth.client_id"), _client.ClientId))];

    private static long Status(OtlpSpan span) => Convert.ToInt64(span.Attributes.GetValueOrDefault("http.response.status_code") ?? 0L, System.Globalization.CultureInfo.InvariantCulture);

    private static bool DescendsFrom(OtlpSpan span, string ancestor, Dictionary<string, OtlpSpan> spans)
    {
        for (var current = span; current is not null; current = spans.GetValueOrDefault(current.ParentSpanId))
        {
            if (current.ParentSpanId == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A counter's total, or a histogram's count, over the points whose attributes include all those given.</summary>
    private static double Sum(List<OtlpMetricPoint> points, string name, params (string Key, object Value)[] attributes) =>
        points.Where(p => p.Name == name && attributes.All(a => Equals(p.Attributes.GetValueOrDefault(a.Key), a.Value))).Sum(p => p.Value);

    private static OtlpLogRecord Single(List<OtlpLogRecord> audit, int id, string name)
    {
        // OTLP carries the event's name (LogRecord.event_name); its number is Azure Monitor's Properties.EventId
        // (AuditEventTests holds name and number together).
        var matching = audit.Where(r => r.EventName == name).ToList();
        Assert.That(matching, Has.Count.EqualTo(1), $"event {id} {name}");
        return matching.Count == 1 ? matching[0] : new OtlpLogRecord(string.Empty, string.Empty, null, new Dictionary<string, object?>(), string.Empty);
    }

    private string Dump() =>
        string.Join('\n', _receiver.Spans.Select(s => $"span {s.Scope} {s.Name} kind={s.Kind} trace={s.TraceId} id={s.SpanId} parent={s.ParentSpanId} {string.Join(',', s.Attributes.Select(a => $"{a.Key}={a.Value}"))}")
            .Concat(_receiver.MetricPoints.Select(p => $"metric {p.Scope} {p.Name} {p.Unit} {p.Value} {string.Join(',', p.Attributes.Select(a => $"{a.Key}={a.Value}"))}"))
            .Concat(_receiver.LogRecords.Select(r => $"log {r.Scope} {r.EventName} {r.Body} {string.Join(',', r.Attributes.Select(a => $"{a.Key}={a.Value}"))}")));
}
