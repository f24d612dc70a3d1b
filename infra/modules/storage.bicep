// The storage account: the Functions host's own storage (AzureWebJobsStorage), the Flex Consumption deployment
// container, and the token tables. Shared-key access is off: every caller authenticates with Entra ID.
// In the private shape (publicNetworkAccess false) it is reached only through private endpoints (main.bicep).

import { storageBlobDataOwner, storageTableDataContributor } from 'roles.bicep'

@description('Azure region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('Redundancy: Standard_LRS (one datacentre), Standard_ZRS (three zones of the region), or a geo-redundant SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param skuName string

@description('Whether the account accepts traffic from public networks (still authenticated with Entra ID); false: private endpoints only.')
param publicNetworkAccess bool

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Tables the app reads and writes; created here because the app may not create them (Tables__CreateTablesIfMissing=false).')
param tableNames string[]

@description('Resource id of the app\'s managed identity (names the role assignments: known before deployment).')
param appIdentityId string

@description('Principal id of the app\'s managed identity.')
param appPrincipalId string

@description('Tables the deployer may read and write (tokenctl client add/remove in the smoke test); empty with no deployer.')
param deployerTableNames string[]

@description('Object id of the deployer (the azd user or the CI identity), or empty for none.')
param deployerPrincipalId string

@description('Kind of principal the deployer is.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param deployerPrincipalType string

resource storageAccount 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: publicNetworkAccess ? 'Enabled' : 'Disabled'
    networkAcls: {
      defaultAction: publicNetworkAccess ? 'Allow' : 'Deny'
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

// The deployer registers and removes the smoke test's client (tokenctl) with its own identity: Table Data
// Contributor on those tables only, not on the account.
resource deployerTableAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for tableName in (empty(deployerPrincipalId) ? [] : deployerTableNames): {
    name: guid(storageAccount.id, tableName, deployerPrincipalId, storageTableDataContributor)
    scope: tables[indexOf(tableNames, tableName)]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
      principalId: deployerPrincipalId
      principalType: deployerPrincipalType
    }
  }
]

@description('Resource id of the storage account (for its private endpoints).')
output storageAccountId string = storageAccount.id

@description('Name of the storage account.')
output storageAccountName string = storageAccount.name

@description('Table service endpoint, e.g. https://{account}.table.core.windows.net/.')
output tableServiceUri string = storageAccount.properties.primaryEndpoints.table

@description('URL of the deployment-package container.')
output deploymentContainerUrl string = '${storageAccount.properties.primaryEndpoints.blob}${deploymentContainer.name}'

@description('Names of the tables created.')
output tableNames string[] = [for (name, i) in tableNames: tables[i].name]
