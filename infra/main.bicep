// The OAuth 2.0 token service: everything in one resource group.
//   azd up                                                   (azure.yaml, infra/main.parameters.json)
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.<env>.bicepparam
// See docs/deploy.md. No secret is set, passed or output anywhere: every connection uses the app's
// user-assigned managed identity.

targetScope = 'resourceGroup'

import { environmentToken } from 'modules/naming.bicep'

// ---- Naming and placement

@description('Short name of the service, used in resource names (lowercase letters and digits).')
@minLength(3)
@maxLength(12)
param appName string = 'oauthtoken'

@description('Environment name (azd: AZURE_ENV_NAME), e.g. dev, prod, pr-123: any name of letters, digits, -, _ and . works. Tagged as is; its letters and digits are part of resource names.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Azure region (azd: AZURE_LOCATION); defaults to the resource group\'s. Pick one that offers Flex Consumption.')
param location string = resourceGroup().location

@description('Tags for every resource.')
param tags object = {}

// ---- Hosting

@description('FC1 = Flex Consumption (default, scales to zero); EP1-EP3 = Elastic Premium.')
@allowed([
  'FC1'
  'EP1'
  'EP2'
  'EP3'
])
param planSku string = 'FC1'

@description('Most instances the app scales out to (Flex Consumption: 40-1000; Elastic Premium: the plan\'s burst limit).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Flex Consumption instance memory in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

// ---- Network

@description('Private networking: the app\'s outbound traffic goes through a virtual network, and the storage account and Key Vault accept traffic only from their private endpoints in it (public network access disabled). Off for the quick start, on in production.')
param vnetEnabled bool = false

@description('Address space of the virtual network (vnetEnabled).')
param vnetAddressPrefix string = '10.20.0.0/16'

@description('Subnet the app integrates with (vnetEnabled); Flex Consumption needs at least a /27, Elastic Premium a /26.')
param appSubnetAddressPrefix string = '10.20.0.0/24'

@description('Subnet of the private endpoints (vnetEnabled).')
param privateEndpointSubnetAddressPrefix string = '10.20.1.0/24'

// ---- Domain and token settings (the app's Token__* and Cors__* settings)

@description('A custom host name for the app, e.g. login.example.com, bound with a free managed certificate; empty for none. Create its CNAME and asuid TXT records first (docs/deploy.md).')
param customDomainName string = ''

@description('Token__Issuer: the iss claim and the metadata\'s issuer. Empty: https://{customDomainName}, or without one https://{the app\'s default host name}.')
param issuer string = ''

@description('Token__Audience: the default aud claim, the resource server the tokens are for.')
@minLength(1)
param audience string

@description('Token__AuthorizationEndpoint: where the authorize step runs, published in the metadata; empty for none.')
param authorizationEndpoint string = ''

@description('Token__AccessTokenLifetimeSeconds.')
@minValue(60)
@maxValue(86400)
param accessTokenLifetimeSeconds int = 600

@description('Token__RefreshTokenIdleLifetimeSeconds; null: the app\'s default (14 days).')
@minValue(60)
@maxValue(31536000)
param refreshTokenIdleLifetimeSeconds int?

@description('Token__RefreshTokenAbsoluteLifetimeSeconds; null: the app\'s default (90 days).')
@minValue(60)
@maxValue(31536000)
param refreshTokenAbsoluteLifetimeSeconds int?

@description('Token__RefreshReuseGraceSeconds; null: the app\'s default (30).')
@minValue(0)
@maxValue(300)
param refreshReuseGraceSeconds int?

@description('Token__CodeRetryGraceSeconds: how long the same client may retry a code exchange whose answer it lost; 0 turns it off; null: the app\'s default (30).')
@minValue(0)
@maxValue(300)
param codeRetryGraceSeconds int?

@description('Token__StorageBudgetSeconds: all storage work of one request, retries included; past it 503. Under half of each retry window; null: the app\'s default (8).')
@minValue(1)
@maxValue(60)
param storageBudgetSeconds int?

@description('Throttling__MaxFailedAuthentications: failed client authentications one source address may make per window before 429; 0 turns it off; null: the app\'s default (20).')
@minValue(0)
param throttlingMaxFailedAuthentications int?

@description('Throttling__WindowSeconds: the throttle\'s window; null: the app\'s default (60).')
@minValue(1)
@maxValue(3600)
param throttlingWindowSeconds int?

@description('Cors__AllowedOrigins and the platform\'s CORS: origins (scheme://host[:port]) of browser-based clients allowed to call the endpoints. Never "*"; no credentials.')
param corsAllowedOrigins string[] = []

@description('Any other app setting, by name (e.g. {"ClientJwks__CacheSeconds": "600"}); merged last, so it wins. docs/deploy.md lists the settings.')
param additionalAppSettings object = {}

// ---- Storage

@description('Storage redundancy: Standard_LRS (default), Standard_ZRS (production), or a geo-redundant SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param storageSkuName string = 'Standard_LRS'

// ---- Signing key

@description('Signing key type: RSA (2048-bit, RS256) or EC (P-256, ES256).')
@allowed([
  'RSA'
  'EC'
])
param signingKeyType string = 'RSA'

@description('Validity of each signing-key version (ISO 8601 duration).')
param signingKeyExpiry string = 'P1Y'

@description('Rotate the signing key this long after each version is created (ISO 8601).')
param signingKeyRotateAfterCreate string = 'P11M'

@description('Notify (Event Grid KeyNearExpiry) this long before a key version expires (ISO 8601).')
param signingKeyNotifyBeforeExpiry string = 'P14D'

@description('Days a deleted vault can be recovered.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@description('Key Vault purge protection: on (default, and in production) a deleted vault and its key stay recoverable until the retention ends and cannot be purged. Turn off only for throwaway environments; once on, it cannot be turned off.')
param keyVaultEnablePurgeProtection bool = true

// ---- Deployer

@description('Object id of whoever deploys (azd: AZURE_PRINCIPAL_ID; CI: its identity), granted Table Data Contributor on the tables tokenctl client add/remove use, for the smoke test. Empty: none.')
param deployerPrincipalId string = ''

@description('Kind of principal deployerPrincipalId is (azd: AZURE_PRINCIPAL_TYPE).')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param deployerPrincipalType string = 'User'

// ---- Monitoring

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Daily ingestion cap of the operational Log Analytics workspace in GB (-1 for none). The audit trail is kept in the audit workspace, which has none (docs/deploy.md, "Daily cap and audit trail").')
param logDailyQuotaGb int = 1

@description('Days the audit workspace keeps the audit trail: the app\'s audit events and the vault\'s audit log.')
@minValue(30)
@maxValue(730)
param auditLogRetentionInDays int = 365

// ---- Alerts (docs/operations.md)

@description('Resource id of an existing action group every alert notifies (e.g. the on-call rotation\'s); empty for none.')
param alertActionGroupId string = ''

@description('E-mail addresses to notify through an action group created by the deployment; empty for none. With neither this nor alertActionGroupId the alert rules still fire (Azure Monitor > Alerts) but notify nobody.')
param alertEmailAddresses string[] = []

@description('Token endpoint: alert when more than this percentage of requests answer 5xx over 15 minutes.')
@minValue(1)
@maxValue(100)
param alertTokenServerErrorPercent int = 5

@description('Token endpoint: alert when the 95th percentile duration exceeds this many milliseconds over 15 minutes.')
@minValue(100)
param alertTokenLatencyP95Milliseconds int = 1000

@description('Token endpoint: the 5xx and latency alerts judge only 5-minute bins with at least this many requests (too few make a percentage noise).')
@minValue(1)
param alertTokenMinimumRequests int = 20

@description('Alert when the app\'s failed Table Storage and Key Vault calls in 15 minutes exceed this count (expected answers such as ETag conflicts excluded).')
@minValue(0)
param alertDependencyFailureThreshold int = 5

// The tables the app uses; TokenFunction/Storage/TableNames.cs names them in code.
var tableNames = [
  'OAuthClients'
  'OAuthGrants'
  'OAuthExpiry'
  'OAuthGrantIndex'
  'OAuthClientAssertions'
  'OAuthDpopProofs'
]

// What tokenctl client add/remove reads and writes: the clients, the grant index and grants it revokes, and the
// expiry index rows that let the purge remove those grants within the hour.
var deployerTableNames = [
  'OAuthClients'
  'OAuthGrantIndex'
  'OAuthGrants'
  'OAuthExpiry'
]

// Resource names take the environment name's letters and digits; the hash of the full name keeps two
// environments whose tokens collide apart.
var envToken = environmentToken(environmentName)
var suffix = uniqueString(subscription().id, resourceGroup().id, appName, environmentName)
var allTags = union(tags, {
  application: appName
  environment: environmentName
  'azd-env-name': environmentName
})
var serviceName = 'token'
var functionAppName = 'func-${appName}-${envToken}-${take(suffix, 6)}'
var storageAccountName = take('st${take(appName, 8)}${envToken}${suffix}', 24)
var keyVaultName = 'kv-${take(appName, 8)}-${take(envToken, 4)}-${take(suffix, 7)}'

// Private DNS zones of the private endpoints, from the cloud's own suffixes (no hard-coded public-cloud host).
var privateDnsZones = {
  blob: 'privatelink.blob.${environment().suffixes.storage}'
  table: 'privatelink.table.${environment().suffixes.storage}'
  vault: 'privatelink${replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')}'
}

// The app settings of the app's own sections that come from parameters (Token__Issuer is added by the module, from
// the site's host name). A null value removes the setting, so the app's default applies. Literal keys on purpose:
// TokenFunction.Tests/Infra checks them against SettingNames.All, and docs/deploy.md lists which parameter sets each.
var appSettings = {
  Token__Audience: audience
  Token__AuthorizationEndpoint: empty(authorizationEndpoint) ? null : authorizationEndpoint
  Token__AccessTokenLifetimeSeconds: accessTokenLifetimeSeconds
  Token__RefreshTokenIdleLifetimeSeconds: refreshTokenIdleLifetimeSeconds
  Token__RefreshTokenAbsoluteLifetimeSeconds: refreshTokenAbsoluteLifetimeSeconds
  Token__RefreshReuseGraceSeconds: refreshReuseGraceSeconds
  Token__CodeRetryGraceSeconds: codeRetryGraceSeconds
  Token__StorageBudgetSeconds: storageBudgetSeconds
  Throttling__MaxFailedAuthentications: throttlingMaxFailedAuthentications
  Throttling__WindowSeconds: throttlingWindowSeconds
  Cors__AllowedOrigins: empty(corsAllowedOrigins) ? null : join(corsAllowedOrigins, ',')
  Tables__ServiceUri: storage.outputs.tableServiceUri
  Tables__CreateTablesIfMissing: 'false'
  Identity__ManagedIdentityClientId: appIdentity.properties.clientId
  Signing__KeyVaultKeyId: keyVault.outputs.signingKeyId
}

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${appName}-${envToken}'
  location: location
  tags: allTags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: allTags
    workspaceName: 'log-${appName}-${envToken}-${take(suffix, 6)}'
    auditWorkspaceName: 'log-${appName}-${envToken}-audit-${take(suffix, 6)}'
    applicationInsightsName: 'appi-${appName}-${envToken}-${take(suffix, 6)}'
    retentionInDays: logRetentionInDays
    auditRetentionInDays: auditLogRetentionInDays
    dailyQuotaGb: logDailyQuotaGb
    appIdentityId: appIdentity.id
    appPrincipalId: appIdentity.properties.principalId
  }
}

module network 'modules/network.bicep' = if (vnetEnabled) {
  name: 'network'
  params: {
    location: location
    tags: allTags
    vnetName: 'vnet-${appName}-${envToken}-${take(suffix, 6)}'
    addressPrefix: vnetAddressPrefix
    appSubnetPrefix: appSubnetAddressPrefix
    privateEndpointSubnetPrefix: privateEndpointSubnetAddressPrefix
    appSubnetDelegation: planSku == 'FC1' ? 'Microsoft.App/environments' : 'Microsoft.Web/serverFarms'
    privateDnsZones: privateDnsZones
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: allTags
    storageAccountName: storageAccountName
    skuName: storageSkuName
    publicNetworkAccess: !vnetEnabled
    deploymentContainerName: 'app-package'
    tableNames: tableNames
    appIdentityId: appIdentity.id
    appPrincipalId: appIdentity.properties.principalId
    deployerTableNames: deployerTableNames
    deployerPrincipalId: deployerPrincipalId
    deployerPrincipalType: deployerPrincipalType
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyVault'
  params: {
    location: location
    tags: allTags
    keyVaultName: keyVaultName
    keyName: 'token-signing'
    keyType: signingKeyType
    keyExpiry: signingKeyExpiry
    rotateAfterCreate: signingKeyRotateAfterCreate
    notifyBeforeExpiry: signingKeyNotifyBeforeExpiry
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    enablePurgeProtection: keyVaultEnablePurgeProtection
    publicNetworkAccess: !vnetEnabled
    auditWorkspaceId: monitoring.outputs.auditWorkspaceId
    appIdentityId: appIdentity.id
    appPrincipalId: appIdentity.properties.principalId
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    tags: allTags
    namePrefix: '${appName}-${envToken}'
    workspaceId: monitoring.outputs.workspaceId
    auditWorkspaceId: monitoring.outputs.auditWorkspaceId
    keyVaultName: keyVaultName
    actionGroupId: alertActionGroupId
    emailAddresses: alertEmailAddresses
    actionGroupName: 'ag-${appName}-${envToken}-${take(suffix, 6)}'
    actionGroupShortName: take('${appName}${envToken}', 12)
    tokenServerErrorPercent: alertTokenServerErrorPercent
    tokenLatencyP95Milliseconds: alertTokenLatencyP95Milliseconds
    tokenMinimumRequests: alertTokenMinimumRequests
    dependencyFailureThreshold: alertDependencyFailureThreshold
    dailyCapEnabled: logDailyQuotaGb > 0
  }
  // The system topic's source is the vault, named here before it exists.
  dependsOn: [
    keyVault
  ]
}

// The private endpoints: the host's blobs (and the Flex deployment package) and the tables in the storage
// account, and the vault. No queue endpoint: nothing in the app uses queues (HTTP triggers and a timer).
var storageEndpoints = [
  'blob'
  'table'
]

module storageEndpoint 'modules/privateendpoint.bicep' = [
  for service in storageEndpoints: if (vnetEnabled) {
    name: 'endpoint-storage-${service}'
    params: {
      location: location
      tags: allTags
      name: 'pe-${storageAccountName}-${service}'
      resourceId: storage.outputs.storageAccountId
      groupId: service
      subnetId: network.?outputs.privateEndpointSubnetId ?? ''
      privateDnsZoneId: network.?outputs.privateDnsZoneIds[service] ?? ''
    }
  }
]

module keyVaultEndpoint 'modules/privateendpoint.bicep' = if (vnetEnabled) {
  name: 'endpoint-keyvault'
  params: {
    location: location
    tags: allTags
    name: 'pe-${keyVaultName}'
    resourceId: keyVault.outputs.keyVaultId
    groupId: 'vault'
    subnetId: network.?outputs.privateEndpointSubnetId ?? ''
    privateDnsZoneId: network.?outputs.privateDnsZoneIds.vault ?? ''
  }
}

// Depends on the other modules through their outputs, so the identity's role assignments (and, in the private
// shape, the endpoints) exist before the app first starts.
module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    location: location
    tags: allTags
    siteTags: {
      'azd-service-name': serviceName
    }
    functionAppName: functionAppName
    planName: 'plan-${appName}-${envToken}-${take(suffix, 6)}'
    planSku: planSku
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    identityId: appIdentity.id
    identityClientId: appIdentity.properties.clientId
    storageAccountName: storage.outputs.storageAccountName
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    issuer: issuer
    customDomainName: customDomainName
    appSettings: appSettings
    additionalAppSettings: additionalAppSettings
    corsAllowedOrigins: corsAllowedOrigins
    appSubnetId: network.?outputs.appSubnetId ?? ''
  }
  // In the private shape the app reaches storage and the vault only through the endpoints: they come first.
  dependsOn: [
    storageEndpoint
    keyVaultEndpoint
  ]
}

// Endpoint URLs as the metadata document publishes them: the issuer's origin and path plus the route.
var baseUrl = endsWith(functionApp.outputs.issuer, '/')
  ? take(functionApp.outputs.issuer, max(length(functionApp.outputs.issuer) - 1, 0))
  : functionApp.outputs.issuer

@description('Name of the function app (for publishing the package).')
output functionAppName string = functionApp.outputs.functionAppName

@description('The function app\'s own URL (https://{default host name}), whatever the issuer.')
output functionAppUrl string = 'https://${functionApp.outputs.defaultHostName}'

@description('The token endpoint.')
output tokenEndpointUrl string = '${baseUrl}/api/v1/oauth/token'

@description('The token revocation endpoint (RFC 7009).')
output revocationEndpointUrl string = '${baseUrl}/api/v1/oauth/revoke'

@description('The JSON Web Key Set: the public signing keys.')
output jwksUrl string = '${baseUrl}/.well-known/jwks.json'

@description('The authorization server metadata document (RFC 8414).')
output metadataUrl string = '${baseUrl}/.well-known/oauth-authorization-server'

@description('The issuer the app puts in tokens.')
output issuer string = functionApp.outputs.issuer

@description('The default audience of the tokens.')
output audience string = audience

@description('Principal (object) id of the app\'s managed identity.')
output identityPrincipalId string = appIdentity.properties.principalId

@description('Client id of the app\'s managed identity.')
output identityClientId string = appIdentity.properties.clientId

@description('Versionless id of the signing key.')
output signingKeyId string = keyVault.outputs.signingKeyId

@description('Name of the Key Vault.')
output keyVaultName string = keyVault.outputs.keyVaultName

@description('Name of the storage account.')
output storageAccountName string = storage.outputs.storageAccountName

@description('The table endpoint, for tokenctl (Tables__ServiceUri).')
output tableServiceUri string = storage.outputs.tableServiceUri

@description('Whether storage and Key Vault are reachable only from the virtual network (a runner outside it cannot use tokenctl).')
output vnetEnabled bool = vnetEnabled

@description('The TXT record asuid.{customDomainName} must hold this value.')
output customDomainVerificationId string = functionApp.outputs.customDomainVerificationId

@description('Name of the audit Log Analytics workspace: the app\'s audit events and the vault\'s audit log, never capped.')
output auditWorkspaceName string = monitoring.outputs.auditWorkspaceName

@description('Who the alerts notify: the action groups, or a warning that they notify nobody.')
output alertNotifications string = empty(alerts.outputs.actionGroupIds)
  ? 'none: the alert rules fire in Azure Monitor > Alerts but notify nobody; set alertActionGroupId or alertEmailAddresses'
  : join(alerts.outputs.actionGroupIds, ', ')
