using System.Text.Json.Nodes;
using TokenFunction.Functions;

namespace TokenFunction.Tests.Infra;

/// <summary>
/// The alert rules of infra/modules/alerts.bicep: each one's query (evaluated from telemetry.bicep), what it measures
/// and when it fires, and that every rule and the signing key's events notify the same action groups.
/// </summary>
public class AlertRuleTests
{
    private static readonly string[] RuleNames =
        ["token-5xx", "token-latency-p95", "refresh-reuse", "dependency-failures", "keyvault-failures", "purge-not-running", "daily-cap-reached"];

    private static InfraModule Alerts => InfraModule.Named("alerts");

    private static List<JsonObject> Definitions =>
        [.. (Alerts.Variable("ruleDefinitions") as JsonArray ?? []).OfType<JsonObject>()];

    private static JsonObject Rule(string name) => Definitions.Single(d => (string?)d["name"] == name);

    private static string Value(JsonObject rule, string property) => rule[property] is { } node ? ArmTemplate.Text(node) : string.Empty;

    private static ArmResource LogAlerts => Alerts.Resources("Microsoft.Insights/scheduledQueryRules").Single();

    [Test]
    public void EveryAlertIsALogSearchRuleThatNotifiesTheActionGroupsAndToleratesANewWorkspace()
    {
        var criterion = LogAlerts.Property("criteria.allOf")?[0];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Definitions.Select(d => (string?)d["name"]), Is.EquivalentTo(RuleNames));
            Assert.That((string?)LogAlerts.Json["kind"], Is.EqualTo("LogAlert"));
            Assert.That(LogAlerts.Json["copy"]?["count"]?.ToString(), Is.EqualTo("[length(variables('ruleDefinitions'))]"));
            Assert.That(LogAlerts.Property("actions.actionGroups")?.ToString(), Is.EqualTo("[variables('actionGroupIds')]"));
            Assert.That(criterion?["query"]?.ToString(), Is.EqualTo("[variables('ruleDefinitions')[copyIndex()].query]"));
            Assert.That(criterion?["metricMeasureColumn"]?.ToString(), Is.EqualTo("[variables('ruleDefinitions')[copyIndex()].measure]"));
            Assert.That(LogAlerts.Property("scopes")?[0]?.ToString(), Is.EqualTo("[variables('ruleDefinitions')[copyIndex()].scope]"));
            // A new workspace has none of the tables until rows arrive; validation would refuse the rules.
            Assert.That((bool?)LogAlerts.Property("skipQueryValidation"), Is.True);
            Assert.That((bool?)LogAlerts.Property("autoMitigate"), Is.True);
            Assert.That(Alerts.Argument("workspaceId"), Is.EqualTo("[reference('monitoring').outputs.workspaceId.value]"));
            Assert.That(Alerts.Argument("auditWorkspaceId"), Is.EqualTo("[reference('monitoring').outputs.auditWorkspaceId.value]"));
        }
    }

    [Test]
    public void TokenServerErrorRateAlertFiresWhenTheTokenRoutesShareOf5xxExceedsItsThreshold()
    {
        var rule = Rule("token-5xx");
        var query = TelemetryKql.TokenServerErrors;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(query, Does.StartWith("AppRequests"));
            Assert.That(query, Does.Contain($"tostring(parse_url(Url).Path) == \"/{Routes.Token}\""));
            Assert.That(query, Does.Contain("sumif(ItemCount, toint(ResultCode) >= 500)"), "5xx, counted with the sampling weight");
            Assert.That(query, Does.Contain($"Requests >= {TelemetryKql.MinimumRequests}"));
            Assert.That(query, Does.Contain("ServerErrorPercent = 100.0 * ServerErrors / Requests"));
            Assert.That(Value(rule, "query"), Is.EqualTo("[__bicep.tokenServerErrorsQuery(parameters('tokenMinimumRequests'))]"));
            Assert.That(Value(rule, "measure"), Is.EqualTo("ServerErrorPercent"));
            Assert.That(Value(rule, "operator"), Is.EqualTo("GreaterThan"));
            Assert.That(Value(rule, "threshold"), Is.EqualTo("[parameters('tokenServerErrorPercent')]"));
            Assert.That(Alerts.Argument("tokenServerErrorPercent"), Is.EqualTo("[parameters('alertTokenServerErrorPercent')]"));
            Assert.That((int?)InfraModule.RootDefault("alertTokenServerErrorPercent"), Is.EqualTo(5));
            Assert.That((int?)InfraModule.RootDefault("alertTokenMinimumRequests"), Is.EqualTo(TelemetryKql.MinimumRequests));
            Assert.That(Value(rule, "severity"), Is.EqualTo("1"));
            Assert.That(Value(rule, "scope"), Is.EqualTo("[parameters('workspaceId')]"));
        }
    }

    [Test]
    public void TokenLatencyAlertFiresWhenTheTokenRoutesWeightedP95ExceedsItsThreshold()
    {
        var rule = Rule("token-latency-p95");
        var query = TelemetryKql.TokenLatency;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(query, Does.StartWith("AppRequests"));
            Assert.That(query, Does.Contain($"== \"/{Routes.Token}\""));
            Assert.That(query, Does.Contain("P95Ms = percentilew(DurationMs, ItemCount, 95)"));
            Assert.That(query, Does.Contain($"Requests >= {TelemetryKql.MinimumRequests}"));
            Assert.That(Value(rule, "query"), Is.EqualTo("[__bicep.tokenLatencyQuery(parameters('tokenMinimumRequests'))]"));
            Assert.That(Value(rule, "measure"), Is.EqualTo("P95Ms"));
            Assert.That(Value(rule, "operator"), Is.EqualTo("GreaterThan"));
            Assert.That(Value(rule, "threshold"), Is.EqualTo("[parameters('tokenLatencyP95Milliseconds')]"));
            Assert.That(Alerts.Argument("tokenLatencyP95Milliseconds"), Is.EqualTo("[parameters('alertTokenLatencyP95Milliseconds')]"));
            Assert.That((int?)InfraModule.RootDefault("alertTokenLatencyP95Milliseconds"), Is.EqualTo(1000));
        }
    }

    [Test]
    public void RefreshReuseAlertFiresOnEveryAuditEvent5003WithOneAlertPerClient()
    {
        var rule = Rule("refresh-reuse");
        var query = TelemetryKql.RefreshReuse;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(query, Does.StartWith("AppTraces"));
            Assert.That(query, Does.Contain("tostring(Properties.CategoryName) == \"TokenFunction.Audit\""));
            Assert.That(query, Does.Contain("tostring(Properties.EventId) == \"5003\""));
            Assert.That(query, Does.Contain("ClientId = tostring(Properties.ClientId)"));
            Assert.That(Value(rule, "query"), Is.EqualTo("[__bicep.refreshReuseQuery()]"));
            Assert.That(Value(rule, "aggregation"), Is.EqualTo("Count"));
            Assert.That(Value(rule, "operator"), Is.EqualTo("GreaterThan"));
            Assert.That(Value(rule, "threshold"), Is.EqualTo("0"));
            Assert.That(rule["dimensions"]?.AsArray().Select(d => (string?)d), Is.EqualTo(new[] { "ClientId" }));
            Assert.That(Value(rule, "windowSize"), Is.EqualTo("PT5M"));
            Assert.That(Value(rule, "severity"), Is.EqualTo("1"), "a security event");
        }
    }

    [Test]
    public void DependencyFailureAlertCountsFailedTableAndKeyVaultCallsButNotTheAnswersTheCodeExpects()
    {
        var rule = Rule("dependency-failures");
        var query = TelemetryKql.DependencyFailures;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(query, Does.StartWith("AppDependencies"));
            Assert.That(query, Does.Contain("Success == false"));
            Assert.That(query, Does.Contain("Type =~ \"Microsoft.KeyVault\"").And.Contain($"Target contains \"{TelemetryKql.KeyVaultDnsSuffix}\""));
            Assert.That(query, Does.Contain("Type =~ \"Azure table\"").And.Contain("Type =~ \"Microsoft.Storage\"").And.Contain($"Target contains \".table.{TelemetryKql.StorageSuffix}\""));
            Assert.That(query, Does.Contain("not(Service == \"storage\" and ResultCode in (\"404\", \"409\", \"412\"))"), "missing rows and ETag conflicts are answers the code handles");
            Assert.That(query, Does.Contain("not(Service == \"keyvault\" and ResultCode == \"401\")"), "the challenge before every Key Vault token");
            Assert.That(Value(rule, "query"), Is.EqualTo("[__bicep.dependencyFailuresQuery(environment().suffixes.keyvaultDns, environment().suffixes.storage)]"));
            Assert.That(rule["dimensions"]?.AsArray().Select(d => (string?)d), Is.EqualTo(new[] { "Service" }));
            Assert.That(Value(rule, "threshold"), Is.EqualTo("[parameters('dependencyFailureThreshold')]"));
            Assert.That(Alerts.Argument("dependencyFailureThreshold"), Is.EqualTo("[parameters('alertDependencyFailureThreshold')]"));
        }
    }

    [Test]
    public void KeyVaultAlertReadsTheVaultsOwnAuditLogInTheAuditWorkspace()
    {
        var rule = Rule("keyvault-failures");
        var query = TelemetryKql.KeyVaultFailures;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(query, Does.StartWith("AZKVAuditLogs"));
            Assert.That(query, Does.Contain("HttpStatusCode >= 400 and not(OperationName == \"Authentication\" and HttpStatusCode == 401)"));
            Assert.That(Value(rule, "query"), Is.EqualTo("[__bicep.keyVaultFailuresQuery()]"));
            Assert.That(Value(rule, "scope"), Is.EqualTo("[parameters('auditWorkspaceId')]"), "where keyvault.bicep sends the vault's log");
            Assert.That(rule["dimensions"]?.AsArray().Select(d => (string?)d), Is.EqualTo(new[] { "OperationName" }));
            Assert.That(Value(rule, "threshold"), Is.EqualTo("0"));
        }
    }

    [Test]
    public void PurgeAlertFiresWhenNoSuccessfulRunIsSeenFor30Minutes()
    {
        var rule = Rule("purge-not-running");
        var query = TelemetryKql.PurgeRuns;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(query, Does.StartWith("union isfuzzy=true"), "either source may not exist yet");
            Assert.That(query, Does.Contain("AppMetrics | where Name == \"oauth.purge.runs\" and tostring(Properties.outcome) == \"ok\""));
            Assert.That(query, Does.Contain($"AppRequests | where Name == \"{PurgeTimerFunction.Name}\" and Success == true"));
            Assert.That(Value(rule, "query"), Is.EqualTo("[__bicep.purgeRunsQuery()]"));
            Assert.That(Value(rule, "aggregation"), Is.EqualTo("Count"));
            Assert.That(Value(rule, "operator"), Is.EqualTo("LessThan"));
            Assert.That(Value(rule, "threshold"), Is.EqualTo("1"));
            Assert.That(Value(rule, "windowSize"), Is.EqualTo("PT30M"), "three runs of the 10-minute timer");
            Assert.That(PurgeTimerFunction.Schedule, Is.EqualTo("0 */10 * * * *"));
        }
    }

    [Test]
    public void DailyCapAlertExistsWhenTheWorkspaceHasACapAndWatchesItsIngestionOperations()
    {
        var rule = Rule("daily-cap-reached");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(TelemetryKql.DailyCapReached, Does.StartWith("_LogOperation").And.Contain("Category =~ \"Ingestion\"").And.Contain("Detail contains \"OverQuota\""));
            Assert.That(Value(rule, "query"), Is.EqualTo("[__bicep.dailyCapReachedQuery()]"));
            Assert.That(Value(rule, "scope"), Is.EqualTo("[parameters('workspaceId')]"));
            Assert.That((string?)LogAlerts.Json["condition"], Is.EqualTo("[or(not(equals(variables('ruleDefinitions')[copyIndex()].name, 'daily-cap-reached')), parameters('dailyCapEnabled'))]"));
            Assert.That(Alerts.Argument("dailyCapEnabled"), Is.EqualTo("[greater(parameters('logDailyQuotaGb'), 0)]"));
        }
    }

    [Test]
    public void EveryAlertNotifiesTheGivenActionGroupAndTheOneCreatedForEmailAddresses()
    {
        var actionGroup = Alerts.Resources("Microsoft.Insights/actionGroups").Single();
        var receivers = actionGroup.Property("copy")?.AsArray().OfType<JsonObject>().SingleOrDefault(c => (string?)c["name"] == "emailReceivers");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Alerts.Variable("actionGroupIds")?.ToString(), Is.EqualTo(
                "[concat(if(empty(parameters('actionGroupId')), createArray(), createArray(parameters('actionGroupId'))), if(empty(parameters('emailAddresses')), createArray(), createArray(resourceId('Microsoft.Insights/actionGroups', parameters('actionGroupName')))))]"));
            Assert.That((string?)actionGroup.Json["condition"], Is.EqualTo("[not(empty(parameters('emailAddresses')))]"));
            Assert.That(receivers?["count"]?.ToString(), Is.EqualTo("[length(parameters('emailAddresses'))]"), "one e-mail receiver per address");
            Assert.That(receivers?["input"]?["emailAddress"]?.ToString(), Is.EqualTo("[parameters('emailAddresses')[copyIndex('emailReceivers')]]"));
            Assert.That((bool?)receivers?["input"]?["useCommonAlertSchema"], Is.True);
            Assert.That(Alerts.Argument("actionGroupId"), Is.EqualTo("[parameters('alertActionGroupId')]"));
            Assert.That(Alerts.Argument("emailAddresses"), Is.EqualTo("[parameters('alertEmailAddresses')]"));
            Assert.That((string?)InfraModule.RootDefault("alertActionGroupId"), Is.Empty);
            Assert.That(InfraModule.RootDefault("alertEmailAddresses")?.AsArray(), Is.Empty);
        }
    }

    [Test]
    public void WithoutActionGroupsTheAlertsAreStillCreatedAndTheDeploymentSaysTheyNotifyNobody()
    {
        var notifications = CompiledInfra.Instance.Template.Outputs["alertNotifications"]?["value"]?.ToString();

        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)LogAlerts.Json["condition"], Does.Not.Contain("actionGroup").And.Not.Contain("emailAddresses"));
            Assert.That(notifications, Does.StartWith("[if(empty(reference('alerts').outputs.actionGroupIds.value), 'none:"));
            Assert.That(notifications, Does.Contain("notify nobody"));
        }
    }

    [Test]
    public void SigningKeyNearExpiryAndExpiryEventsBecomeAlertsToTheSameActionGroups()
    {
        var topic = Alerts.Resources("Microsoft.EventGrid/systemTopics").Single();
        var subscription = Alerts.Resources("Microsoft.EventGrid/systemTopics/eventSubscriptions").Single();
        var events = (Alerts.Variable("keyEventAlerts") as JsonArray ?? []).OfType<JsonObject>().ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(topic.Property("topicType")?.ToString(), Is.EqualTo("Microsoft.KeyVault.vaults"));
            Assert.That(topic.Property("source")?.ToString(), Is.EqualTo("[resourceId('Microsoft.KeyVault/vaults', parameters('keyVaultName'))]"));
            Assert.That(Alerts.Argument("keyVaultName"), Is.EqualTo("[variables('keyVaultName')]"));
            Assert.That(events.Select(e => (string?)e["eventType"]), Is.EquivalentTo(new[] { "Microsoft.KeyVault.KeyNearExpiry", "Microsoft.KeyVault.KeyExpired" }));
            Assert.That(subscription.Json["copy"]?["count"]?.ToString(), Is.EqualTo("[length(variables('keyEventAlerts'))]"));
            Assert.That(subscription.Property("filter.includedEventTypes")?[0]?.ToString(), Is.EqualTo("[variables('keyEventAlerts')[copyIndex()].eventType]"));
            Assert.That(subscription.Property("destination.endpointType")?.ToString(), Is.EqualTo("MonitorAlert"));
            Assert.That(subscription.Property("destination.properties.actionGroups")?.ToString(), Is.EqualTo("[variables('actionGroupIds')]"));
            // The one schema the Azure Monitor alert destination accepts.
            Assert.That(subscription.Property("eventDeliverySchema")?.ToString(), Is.EqualTo("CloudEventSchemaV1_0"));
        }
    }
}
