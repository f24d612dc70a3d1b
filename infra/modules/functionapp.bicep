// The function app: Linux, dotnet-isolated 10.0, on Flex Consumption (FC1, default) or Elastic Premium (EP1-3).
// Runs as the user-assigned identity; every connection is identity-based and no setting holds a secret.

@description('Azure region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the function app (also its default host name).')
param functionAppName string

@description('Name of the hosting plan.')
param planName string

@description('FC1 = Flex Consumption (scales to zero); EP1-EP3 = Elastic Premium (always one warm instance).')
@allowed([
  'FC1'
  'EP1'
  'EP2'
  'EP3'
])
param planSku string

@description('Flex Consumption: the most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Flex Consumption: memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Storage account for AzureWebJobsStorage (reached with the identity).')
param storageAccountName string

@description('URL of the blob container for the Flex Consumption deployment package.')
param deploymentContainerUrl string

@description('Application Insights connection string (not a secret: ingestion needs an Entra token, local auth is off).')
param applicationInsightsConnectionString string

@description('Token__Issuer: the iss claim.')
param issuer string

@description('Token__Audience: the default aud claim.')
param audience string

@description('Token__AccessTokenLifetimeSeconds.')
@minValue(60)
@maxValue(86400)
param accessTokenLifetimeSeconds int

@description('Tables__ServiceUri: the table endpoint.')
param tableServiceUri string

@description('Signing__KeyVaultKeyId: the versionless signing-key URI.')
param signingKeyId string

var isFlex = planSku == 'FC1'

// The settings the app binds (TokenFunction/Hosting/*Options.cs, named in SettingNames.cs). Literal keys on
// purpose: TokenFunction.Tests/Infra checks them against SettingNames.All and SettingNames.RequiredInAzure.
var appOwnedSettings = {
  Token__Issuer: issuer
  Token__Audience: audience
  Token__AccessTokenLifetimeSeconds: string(accessTokenLifetimeSeconds)
  Tables__ServiceUri: tableServiceUri
  Tables__CreateTablesIfMissing: 'false'
  Identity__ManagedIdentityClientId: identityClientId
  Signing__KeyVaultKeyId: signingKeyId
}

// The host's own storage and telemetry, through the identity: no connection string with a key.
var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// Flex Consumption takes the runtime from functionAppConfig and rejects these; Elastic Premium needs them.
// Elastic Premium runs from a package deployed through the SCM site (no Azure Files content share, which
// would need a storage key).
var premiumOnlySettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
  WEBSITE_RUN_FROM_PACKAGE: '1'
}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: isFlex ? 'functionapp' : 'elastic'
  sku: {
    name: planSku
    tier: isFlex ? 'FlexConsumption' : 'ElasticPremium'
  }
  properties: {
    reserved: true
    maximumElasticWorkerCount: isFlex ? null : maximumInstanceCount
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: functionAppName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: isFlex ? null : 'DOTNET-ISOLATED|10.0'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      remoteDebuggingEnabled: false
    }
    functionAppConfig: isFlex
      ? {
          deployment: {
            storage: {
              type: 'blobContainer'
              value: deploymentContainerUrl
              authentication: {
                type: 'UserAssignedIdentity'
                userAssignedIdentityResourceId: identityId
              }
            }
          }
          scaleAndConcurrency: {
            maximumInstanceCount: maximumInstanceCount
            instanceMemoryMB: instanceMemoryMB
          }
          runtime: {
            name: 'dotnet-isolated'
            version: '10.0'
          }
        }
      : null
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: union(appOwnedSettings, hostSettings, isFlex ? {} : premiumOnlySettings)
}

// Publishing with a user name and password (FTP, and basic auth on the SCM site) is off: deployments
// authenticate with Entra ID.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('Name of the function app.')
output functionAppName string = site.name

@description('Default host name of the function app.')
output defaultHostName string = site.properties.defaultHostName
