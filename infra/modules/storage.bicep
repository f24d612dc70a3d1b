// The storage account: the Functions host's own storage (AzureWebJobsStorage), the Flex Consumption deployment
// container, and the token tables. Shared-key access is off: every caller authenticates with Entra ID.

import { storageBlobDataOwner, storageTableDataContributor } from 'roles.bicep'

@description('Azure region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Tables the app reads and writes; created here because the app may not create them (Tables__CreateTablesIfMissing=false).')
param tableNames string[]

@description('Resource id of the app\'s managed identity (names the role assignments: known before deployment).')
param appIdentityId string

@description('Principal id of the app\'s managed identity.')
param appPrincipalId string

resource storageAccount 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storageAccount
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' = {
  parent: storageAccount
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

// The host keeps leases, keys and the deployment package in blobs: Blob Data Owner on the account is what
// identity-based AzureWebJobsStorage requires. No queue role: the app has HTTP triggers and a timer (whose schedule lock is a blob lease).
resource hostBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, appIdentityId, storageBlobDataOwner)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The token tables, and the host's own table use (diagnostic events), on the account.
resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, appIdentityId, storageTableDataContributor)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Name of the storage account.')
output storageAccountName string = storageAccount.name

@description('Table service endpoint, e.g. https://{account}.table.core.windows.net/.')
output tableServiceUri string = storageAccount.properties.primaryEndpoints.table

@description('URL of the deployment-package container.')
output deploymentContainerUrl string = '${storageAccount.properties.primaryEndpoints.blob}${deploymentContainer.name}'

@description('Names of the tables created.')
output tableNames string[] = [for (name, i) in tableNames: tables[i].name]
