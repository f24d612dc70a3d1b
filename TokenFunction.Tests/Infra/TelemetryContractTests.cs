using System.Text.Json.Nodes;

namespace TokenFunction.Tests.Infra;

/// <summary>
/// The names the infrastructure watches are the telemetry contract's (the code emits the same ones), and
/// docs/operations.md explains every one of them and every alert rule; README and docs/deploy.md link it.
/// </summary>
public class TelemetryContractTests
{
    // The telemetry contract of issue 12: audit event ids and names, and the meter's instruments.
    internal static readonly Dictionary<string, int> AuditEvents = new(StringComparer.Ordinal)
    {
        ["TokenIssued"] = 5001,
        ["CodeReplayDetected"] = 5002,
        ["RefreshReuseDetected"] = 5003,
        ["GrantRevoked"] = 5004,
        ["ClientRegistered"] = 5005,
        ["ClientRemoved"] = 5006,
        ["SigningKeyRotated"] = 5007,
    };

    internal static readonly string[] Instruments =
    [
        "oauth.tokens.issued", "oauth.requests.rejected", "oauth.grants.revoked", "oauth.request.duration",
        "oauth.storage.duration", "oauth.signing.duration", "oauth.purge.rows.deleted", "oauth.purge.rows.skipped", "oauth.purge.runs",
    ];

    private static string OperationsDoc => File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "operations.md"));

    [Test]
    public void TheAuditCategoryAndEventIdsInTheInfrastructureAreTheContracts()
    {
        var ids = TelemetryKql.AuditEventIds.ToDictionary(p => p.Key, p => (int?)p.Value, StringComparer.OrdinalIgnoreCase);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(TelemetryKql.AuditCategory, Is.EqualTo("TokenFunction.Audit"));
            Assert.That(ids, Has.Count.EqualTo(AuditEvents.Count));
            foreach (var (name, id) in AuditEvents)
            {
                Assert.That(ids.GetValueOrDefault(name), Is.EqualTo(id), name);
            }
        }
    }

    [Test]
    public void OperationsDocExplainsEveryMetricAndAuditEventOfTheContract()
    {
        var doc = OperationsDoc;

        using (Assert.EnterMultipleScope())
        {
            foreach (var instrument in Instruments)
            {
                Assert.That(doc, Does.Contain($"`{instrument}`"), instrument);
            }

            foreach (var (name, id) in AuditEvents)
            {
                Assert.That(doc, Does.Match($@"\| {id} \| `{name}` \|"), $"a row for audit event {id} {name}");
            }
        }
    }

    [Test]
    public void OperationsDocSaysWhatToDoForEveryAlertRule()
    {
        var doc = OperationsDoc;
        var alerts = InfraModule.Named("alerts");
        List<string?> rules =
        [
            .. (alerts.Variable("ruleDefinitions") as JsonArray ?? []).Select(r => (string?)r?["name"]),
            .. (alerts.Variable("keyEventAlerts") as JsonArray ?? []).Select(r => (string?)r?["name"]),
        ];

        Assert.That(rules, Has.Count.EqualTo(9));
        using (Assert.EnterMultipleScope())
        {
            foreach (var rule in rules)
            {
                Assert.That(doc, Does.Match($@"(?m)^### .*`{rule}`"), $"a section for the alert {rule}");
            }

            foreach (var table in new[] { "AppRequests", "AppDependencies", "AppTraces", "AppMetrics", "AZKVAuditLogs" })
            {
                Assert.That(doc, Does.Contain($"```kusto\n{table}"), $"an example query over {table}");
            }

            Assert.That(doc, Does.Contain("OTEL_EXPORTER_OTLP_ENDPOINT"), "how to see the telemetry locally");
        }
    }

    [Test]
    public void ReadmeAndTheDeploymentGuideLinkTheOperationsGuideAndTheGuideExplainsTheAuditTrail()
    {
        var deploy = File.ReadAllText(RepoPaths.DeployDoc);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")), Does.Contain("(docs/operations.md)"));
            Assert.That(deploy, Does.Contain("(operations.md)"));
            Assert.That(deploy, Does.Contain("## Daily cap and audit trail"));
            Assert.That(deploy, Does.Contain("`auditLogRetentionInDays`").And.Contain("`alertActionGroupId`").And.Contain("`alertEmailAddresses`"));
        }
    }
}
