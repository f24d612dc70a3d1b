// Two Log Analytics workspaces and a workspace-based Application Insights component that accepts only
// Entra-authenticated telemetry (local auth off); the app's identity may publish to it and nothing else.
//  - The operational workspace holds the component's telemetry (AppRequests, AppDependencies, AppTraces, AppMetrics)
//    and has the daily cap: when the cap is reached, it stops ingesting until its reset hour.
//  - The audit workspace has no cap and a longer retention. It receives the audit trail: the component's AppTraces
//    through a diagnostic setting, filtered at ingestion to the audit category, and (keyvault.bicep) the vault's audit
//    log. A day over the cap therefore does not cost the audit trail (docs/deploy.md, "Daily cap and audit trail").

import { monitoringMetricsPublisher } from 'roles.bicep'
import { auditTracesTransform } from 'telemetry.bicep'

@description('Azure region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the operational Log Analytics workspace.')
param workspaceName string

@description('Name of the audit Log Analytics workspace.')
param auditWorkspaceName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Days the operational workspace keeps data (30 is included in the ingestion price).')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Days the audit workspace keeps the audit trail.')
@minValue(30)
@maxValue(730)
param auditRetentionInDays int

@description('Daily ingestion cap of the operational workspace in GB (-1 for none): bounds what a noisy day can cost.')
param dailyQuotaGb int

@description('Resource id of the app\'s managed identity (names the role assignment: known before deployment).')
param appIdentityId string

@description('Principal id of the app\'s managed identity, which publishes telemetry.')
param appPrincipalId string

module operationalWorkspace 'logworkspace.bicep' = {
  name: 'workspace'
  params: {
    location: location
    tags: tags
    name: workspaceName
    retentionInDays: retentionInDays
    dailyQuotaGb: dailyQuotaGb
  }
}

// Never capped: the audit trail must not stop for the day when the operational telemetry is over budget. Its volume
// is the audit events and the vault's log only (about one row of each per token issued).
module auditWorkspace 'logworkspace.bicep' = {
  name: 'audit-workspace'
  params: {
    location: location
    tags: tags
    name: auditWorkspaceName
    retentionInDays: auditRetentionInDays
    dailyQuotaGb: -1
  }
}

// The audit workspace keeps only the audit events of the AppTraces the component exports to it.
resource auditTracesOnly 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: 'dcr-${auditWorkspaceName}'
  location: location
  tags: tags
  kind: 'WorkspaceTransforms'
  properties: {
    description: 'Keeps only the audit events of the AppTraces exported to the audit workspace.'
    destinations: {
      logAnalytics: [
        {
          name: 'audit'
          workspaceResourceId: auditWorkspace.outputs.id
        }
      ]
    }
    dataFlows: [
      {
        streams: [
          'Microsoft-Table-AppTraces'
        ]
        destinations: [
          'audit'
        ]
        transformKql: auditTracesTransform()
      }
    ]
  }
}

// The same workspace, now linked to its transformation rule (a workspace has one such rule, which must name it); after
// the first deployment through the rule, which names it as its destination.
module auditWorkspaceTransformation 'logworkspace.bicep' = {
  name: 'audit-workspace-transformation'
  params: {
    location: location
    tags: tags
    name: auditWorkspaceName
    retentionInDays: auditRetentionInDays
    dailyQuotaGb: -1
    transformationRuleId: auditTracesOnly.id
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: operationalWorkspace.outputs.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
  }
}

// Every AppTraces row also goes to the audit workspace, whose transformation keeps the audit events.
resource auditTrail 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-events-to-audit-workspace'
  scope: applicationInsights
  properties: {
    workspaceId: auditWorkspaceTransformation.outputs.id
    logs: [
      {
        category: 'AppTraces'
        enabled: true
      }
    ]
  }
}

resource publishTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appIdentityId, monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Resource id of the operational Log Analytics workspace (Application Insights\' tables; capped).')
output workspaceId string = operationalWorkspace.outputs.id

@description('Resource id of the audit Log Analytics workspace (the audit trail; never capped).')
output auditWorkspaceId string = auditWorkspaceTransformation.outputs.id

@description('Name of the audit Log Analytics workspace.')
output auditWorkspaceName string = auditWorkspaceTransformation.outputs.name

@description('Name of the Application Insights component.')
output applicationInsightsName string = applicationInsights.name

@description('Application Insights connection string: an ingestion address and instrumentation key, not a secret (local auth is off, so it cannot ingest without an Entra token).')
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString
