using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TokenFunction.Tests.Infra;

/// <summary>
/// infra/modules/monitoring.bicep: Application Insights on the operational workspace, published to with the app's
/// identity only, and the audit trail kept in a second, never-capped workspace: the audit events exported from
/// Application Insights (filtered to the audit category at ingestion) and the vault's audit log.
/// </summary>
public partial class MonitoringTests
{
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private static InfraModule Monitoring => InfraModule.Named("monitoring");

    private static ArmResource Single(InfraModule module, string type) => module.Resources(type).Single();

    [GeneratedRegex(@"ClientId=\{0\};Authorization=AAD")]
    private static partial Regex EntraAuthenticationString();

    [Test]
    public void ApplicationInsightsSitsOnTheOperationalWorkspaceAndAcceptsOnlyEntraAuthenticatedTelemetry()
    {
        var component = Single(Monitoring, "Microsoft.Insights/components");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(component.Property("WorkspaceResourceId")?.ToString(), Is.EqualTo("[reference('operationalWorkspace').outputs.id.value]"));
            Assert.That((string?)component.Property("IngestionMode"), Is.EqualTo("LogAnalytics"));
            Assert.That((bool?)component.Property("DisableLocalAuth"), Is.True, "no instrumentation-key ingestion");
            Assert.That(InfraModule.Named("workspace").Argument("name"), Is.EqualTo("[parameters('workspaceName')]"));
        }
    }

    [Test]
    public void TheAppIdentityIsMonitoringMetricsPublisherOnTheComponentAndNothingWider()
    {
        var assignment = Monitoring.Resources("Microsoft.Authorization/roleAssignments").Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(assignment.ResolveVariables(assignment.Property("roleDefinitionId")?.ToString() ?? string.Empty), Does.Contain(MonitoringMetricsPublisher));
            Assert.That(assignment.Scope, Is.EqualTo("[resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))]"));
            Assert.That(assignment.Property("principalId")?.ToString(), Is.EqualTo("[parameters('appPrincipalId')]"));
            Assert.That(Monitoring.Argument("appPrincipalId"), Is.EqualTo("[reference('appIdentity').principalId]"));
            Assert.That((string?)assignment.Property("principalType"), Is.EqualTo("ServicePrincipal"));
        }
    }

    [Test]
    public void TheHostAndWorkerGetTheConnectionStringAndAnAuthenticationStringNamingTheIdentityButNoKey()
    {
        var settings = AppSettingsInTemplate.Of(CompiledInfra.Instance.Template);
        var functionApp = InfraModule.Named("functionApp");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(settings.GetValueOrDefault("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")?.Value, Does.Match(EntraAuthenticationString()));
            Assert.That(settings.GetValueOrDefault("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")?.Value, Does.Contain("parameters('identityClientId')"));
            Assert.That(functionApp.Argument("identityClientId"), Is.EqualTo("[reference('appIdentity').clientId]"));
            Assert.That(functionApp.Argument("applicationInsightsConnectionString"), Is.EqualTo("[reference('monitoring').outputs.applicationInsightsConnectionString.value]"));
            Assert.That(settings.Keys, Has.None.EqualTo("APPINSIGHTS_INSTRUMENTATIONKEY"));
        }
    }

    [Test]
    public void TheOperationalWorkspaceHasTheDailyCapParameterAndTheAuditWorkspaceNeverHasOne()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(InfraModule.Named("workspace").Argument("dailyQuotaGb"), Is.EqualTo("[parameters('dailyQuotaGb')]"));
            Assert.That(Monitoring.Argument("dailyQuotaGb"), Is.EqualTo("[parameters('logDailyQuotaGb')]"));
            foreach (var audit in new[] { "audit-workspace", "audit-workspace-transformation" })
            {
                Assert.That(InfraModule.Named(audit).Argument("dailyQuotaGb"), Is.EqualTo("-1"), audit);
                Assert.That(InfraModule.Named(audit).Argument("retentionInDays"), Is.EqualTo("[parameters('auditRetentionInDays')]"), audit);
            }

            Assert.That(Monitoring.Argument("auditRetentionInDays"), Is.EqualTo("[parameters('auditLogRetentionInDays')]"));
            Assert.That((int?)InfraModule.RootDefault("auditLogRetentionInDays"), Is.EqualTo(365));
            Assert.That((int?)InfraModule.ParameterFileValue("prod", "auditLogRetentionInDays"), Is.EqualTo(365));
            Assert.That((int?)InfraModule.ParameterFileValue("prod", "logDailyQuotaGb"), Is.GreaterThan(0), "production has a cap, so the audit design matters there");
        }
    }

    [Test]
    public void EveryWorkspaceRefusesKeyBasedAccessAndWritesTheCapAndTransformationItIsGiven()
    {
        var workspace = Single(InfraModule.Named("workspace"), "Microsoft.OperationalInsights/workspaces");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((bool?)workspace.Property("features.disableLocalAuth"), Is.True);
            Assert.That(workspace.Property("workspaceCapping.dailyQuotaGb")?.ToString(), Is.EqualTo("[parameters('dailyQuotaGb')]"));
            Assert.That(workspace.Property("defaultDataCollectionRuleResourceId")?.ToString(), Is.EqualTo("[if(empty(parameters('transformationRuleId')), null(), parameters('transformationRuleId'))]"));
        }
    }

    [Test]
    public void AuditEventsAreExportedToTheAuditWorkspaceWhichKeepsOnlyTheAuditCategory()
    {
        var export = Monitoring.Resources("Microsoft.Insights/diagnosticSettings").Single();
        var rule = Single(Monitoring, "Microsoft.Insights/dataCollectionRules");
        var flow = rule.Property("dataFlows")?[0];
        var linked = InfraModule.Named("audit-workspace-transformation");

        using (Assert.EnterMultipleScope())
        {
            // The component's AppTraces, exported by a diagnostic setting to the audit workspace (once it is linked).
            Assert.That(export.Scope, Is.EqualTo("[resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))]"));
            Assert.That(export.Property("workspaceId")?.ToString(), Is.EqualTo("[reference('auditWorkspaceTransformation').outputs.id.value]"));
            Assert.That(export.Property("logs")?.AsArray().Select(l => ((string?)l?["category"], (bool?)l?["enabled"])), Is.EqualTo(new[] { ((string?)"AppTraces", (bool?)true) }));

            // The audit workspace's transformation rule: AppTraces arriving without a rule of their own keep only the audit category.
            Assert.That((string?)rule.Json["kind"], Is.EqualTo("WorkspaceTransforms"));
            Assert.That(rule.Property("destinations.logAnalytics")?[0]?["workspaceResourceId"]?.ToString(), Is.EqualTo("[reference('auditWorkspace').outputs.id.value]"));
            Assert.That(flow?["streams"]?.AsArray().Select(s => (string?)s), Is.EqualTo(new[] { "Microsoft-Table-AppTraces" }));
            Assert.That(flow?["transformKql"]?.ToString(), Is.EqualTo("[__bicep.auditTracesTransform()]"));
            Assert.That(TelemetryKql.AuditTracesTransform, Does.StartWith("source | "));
            Assert.That(TelemetryKql.AuditTracesTransform, Does.Contain($"where tostring(AuditProperties.CategoryName) == \"{TelemetryKql.AuditCategory}\""));
            Assert.That(TelemetryKql.AuditTracesTransform, Does.EndWith("| project-away AuditProperties"), "the rows keep the table's own columns");

            // Linked: the second deployment of the audit workspace names the rule (which could only be made after the workspace).
            Assert.That(linked.Argument("transformationRuleId"), Is.EqualTo("[resourceId('Microsoft.Insights/dataCollectionRules', format('dcr-{0}', parameters('auditWorkspaceName')))]"));
            Assert.That(linked.Argument("name"), Is.EqualTo("[parameters('auditWorkspaceName')]"));
            Assert.That(InfraModule.Named("audit-workspace").Argument("name"), Is.EqualTo("[parameters('auditWorkspaceName')]"));
            Assert.That(InfraModule.Named("audit-workspace").Argument("transformationRuleId"), Is.Empty);
        }
    }

    [Test]
    public void TheVaultsAuditLogGoesToTheAuditWorkspaceInItsOwnTable()
    {
        var keyVault = InfraModule.Named("keyVault");
        var setting = keyVault.Resources("Microsoft.Insights/diagnosticSettings").Single();
        var logs = (setting.Property("logs") as JsonArray ?? []).OfType<JsonObject>().ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(setting.Scope, Does.Contain("'Microsoft.KeyVault/vaults'"));
            Assert.That(setting.Property("workspaceId")?.ToString(), Is.EqualTo("[parameters('auditWorkspaceId')]"));
            Assert.That(keyVault.Argument("auditWorkspaceId"), Is.EqualTo("[reference('monitoring').outputs.auditWorkspaceId.value]"));
            // Resource-specific (AZKVAuditLogs), the table the Key Vault alert reads, rather than AzureDiagnostics.
            Assert.That((string?)setting.Property("logAnalyticsDestinationType"), Is.EqualTo("Dedicated"));
            Assert.That(logs.Any(l => (string?)l["categoryGroup"] == "audit" && (bool?)l["enabled"] == true), Is.True);
        }
    }

    [Test]
    public void TheDeploymentNamesTheAuditWorkspace() =>
        Assert.That(CompiledInfra.Instance.Template.Outputs["auditWorkspaceName"]?["value"]?.ToString(), Is.EqualTo("[reference('monitoring').outputs.auditWorkspaceName.value]"));
}
