// Log Analytics workspace and a workspace-based Application Insights component that accepts only
// Entra-authenticated telemetry (local auth off); the app's identity may publish to it and nothing else.

import { monitoringMetricsPublisher } from 'roles.bicep'

@description('Azure region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the Log Analytics workspace.')
param workspaceName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Days the workspace keeps data (30 is included in the ingestion price).')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Daily ingestion cap in GB (-1 for none): bounds what a noisy day can cost.')
param dailyQuotaGb int

@description('Resource id of the app\'s managed identity (names the role assignment: known before deployment).')
param appIdentityId string

@description('Principal id of the app\'s managed identity, which publishes telemetry.')
param appPrincipalId string

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    workspaceCapping: {
      dailyQuotaGb: dailyQuotaGb
    }
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
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

@description('Resource id of the Log Analytics workspace.')
output workspaceId string = workspace.id

@description('Name of the Application Insights component.')
output applicationInsightsName string = applicationInsights.name

@description('Application Insights connection string: an ingestion address and instrumentation key, not a secret (local auth is off, so it cannot ingest without an Entra token).')
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString
