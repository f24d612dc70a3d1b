// A Log Analytics workspace that accepts only Entra-authenticated access (no workspace keys). monitoring.bicep
// deploys the operational workspace with it, and the audit workspace twice: once to create it, once more to link
// its transformation rule, which names the workspace as its destination and so can only be created after it.

@description('Azure region of the workspace.')
param location string

@description('Tags of the workspace.')
param tags object

@description('Name of the workspace.')
param name string

@description('Days the workspace keeps data interactively (30 is included in the ingestion price).')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Daily ingestion cap in GB; -1 for none. When reached, the workspace stops ingesting billable data until its daily reset hour.')
param dailyQuotaGb int

@description('Resource id of the workspace transformation rule (kind WorkspaceTransforms) applied to data that arrives without a rule of its own, e.g. from diagnostic settings; empty for none.')
param transformationRuleId string = ''

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: name
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
    features: {
      disableLocalAuth: true
    }
    defaultDataCollectionRuleResourceId: empty(transformationRuleId) ? null : transformationRuleId
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

@description('Resource id of the workspace.')
output id string = workspace.id

@description('Name of the workspace.')
output name string = workspace.name
