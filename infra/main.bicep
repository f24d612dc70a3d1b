// The OAuth 2.0 token service: everything in one resource group.
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.<env>.bicepparam
// See docs/deploy.md. No secret is set, passed or output anywhere: every connection uses the app's
// user-assigned managed identity.

targetScope = 'resourceGroup'

@description('Short name of the service, used in resource names (lowercase letters and digits).')
@minLength(3)
@maxLength(12)
param appName string = 'oauthtoken'

@description('Environment name, used in resource names and tags.')
@allowed([
  'dev'
  'test'
  'prod'
])
param environmentName string

@description('Azure region; defaults to the resource group\'s.')
param location string = resourceGroup().location

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

@description('The token issuer (iss, and the metadata document\'s issuer). Empty: https://{function app}.azurewebsites.net.')
param issuer string = ''

@description('The default audience (aud) of issued tokens: the resource server they are for.')
@minLength(1)
param audience string

@description('Lifetime of access tokens in seconds.')
@minValue(60)
@maxValue(86400)
param accessTokenLifetimeSeconds int = 600

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

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Daily Log Analytics ingestion cap in GB (-1 for none).')
param logDailyQuotaGb int = 1

@description('Tags for every resource.')
param tags object = {}

// The tables the app uses; TokenFunction/Storage/TableNames.cs names them in code.
var tableNames = [
  'OAuthClients'
  'OAuthGrants'
  'OAuthExpiry'
  'OAuthGrantIndex'
  'OAuthClientAssertions'
]

var suffix = uniqueString(subscription().id, resourceGroup().id, appName, environmentName)
var allTags = union(tags, {
  application: appName
  environment: environmentName
})
var functionAppName = 'func-${appName}-${environmentName}-${take(suffix, 6)}'
var effectiveIssuer = empty(issuer) ? 'https://${functionAppName}.azurewebsites.net' : issuer

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${appName}-${environmentName}'
  location: location
  tags: allTags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: allTags
    workspaceName: 'log-${appName}-${environmentName}-${take(suffix, 6)}'
    applicationInsightsName: 'appi-${appName}-${environmentName}-${take(suffix, 6)}'
    retentionInDays: logRetentionInDays
    dailyQuotaGb: logDailyQuotaGb
    appIdentityId: appIdentity.id
    appPrincipalId: appIdentity.properties.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: allTags
    storageAccountName: take('st${appName}${environmentName}${suffix}', 24)
    deploymentContainerName: 'app-package'
    tableNames: tableNames
    appIdentityId: appIdentity.id
    appPrincipalId: appIdentity.properties.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyVault'
  params: {
    location: location
    tags: allTags
    keyVaultName: 'kv-${take(appName, 8)}-${take(environmentName, 4)}-${take(suffix, 7)}'
    keyName: 'token-signing'
    keyType: signingKeyType
    keyExpiry: signingKeyExpiry
    rotateAfterCreate: signingKeyRotateAfterCreate
    notifyBeforeExpiry: signingKeyNotifyBeforeExpiry
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    workspaceId: monitoring.outputs.workspaceId
    appIdentityId: appIdentity.id
    appPrincipalId: appIdentity.properties.principalId
  }
}

// Depends on the other modules through their outputs, so the identity's role assignments exist before the
// app first starts.
module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    location: location
    tags: allTags
    functionAppName: functionAppName
    planName: 'plan-${appName}-${environmentName}-${take(suffix, 6)}'
    planSku: planSku
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    identityId: appIdentity.id
    identityClientId: appIdentity.properties.clientId
    storageAccountName: storage.outputs.storageAccountName
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    issuer: effectiveIssuer
    audience: audience
    accessTokenLifetimeSeconds: accessTokenLifetimeSeconds
    tableServiceUri: storage.outputs.tableServiceUri
    signingKeyId: keyVault.outputs.signingKeyId
  }
}

var baseUrl = 'https://${functionApp.outputs.defaultHostName}'

@description('Name of the function app (for publishing the package).')
output functionAppName string = functionApp.outputs.functionAppName

@description('The token endpoint.')
output tokenEndpointUrl string = '${baseUrl}/api/v1/oauth/token'

@description('The token revocation endpoint (RFC 7009).')
output revocationEndpointUrl string = '${baseUrl}/api/v1/oauth/revoke'

@description('The JSON Web Key Set: the public signing keys.')
output jwksUrl string = '${baseUrl}/.well-known/jwks.json'

@description('The authorization server metadata document (RFC 8414).')
output metadataUrl string = '${baseUrl}/.well-known/oauth-authorization-server'

@description('The issuer the app puts in tokens.')
output issuer string = effectiveIssuer

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
