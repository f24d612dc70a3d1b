// The function app: Linux, dotnet-isolated 10.0, on Flex Consumption (FC1, default) or Elastic Premium (EP1-3).
// Runs as the user-assigned identity; every connection is identity-based and no setting holds a secret.
// Optionally integrated with a virtual network (outbound traffic to the private endpoints) and served on a custom
// domain with an App Service managed certificate.

import { mergeAppSettings } from 'appsettings.bicep'

@description('Azure region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Tags for the site only (azd-service-name, which azd uses to find the app to deploy to).')
param siteTags object

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

@description('Token__Issuer; empty: https:// plus the custom domain if there is one, else the app\'s default host name.')
param issuer string

@description('A custom host name (e.g. login.example.com) bound with a managed certificate; empty for none. Its DNS records must exist first (docs/deploy.md).')
param customDomainName string

@description('The settings of the app\'s own sections (Token__*, Tables__*, ...) except Token__Issuer; a null value removes the setting.')
param appSettings object

@description('Settings merged last, over every other (docs/deploy.md); the template owns a key while it is listed here.')
param additionalAppSettings object

@description('Origins (scheme://host[:port]) allowed to call the app from a browser; the platform answers CORS preflights. Never "*".')
param corsAllowedOrigins string[]

@description('Resource id of the subnet to integrate with, or empty for none (public outbound).')
param appSubnetId string

var isFlex = planSku == 'FC1'
var vnetIntegrated = !empty(appSubnetId)
var hasCustomDomain = !empty(customDomainName)
var effectiveIssuer = !empty(issuer)
  ? issuer
  : 'https://${hasCustomDomain ? customDomainName : site.properties.defaultHostName}'

// Literal key on purpose: TokenFunction.Tests/Infra checks every key the template sets against SettingNames.All.
var issuerSetting = {
  Token__Issuer: effectiveIssuer
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

// On Flex the same keys are owned with null values, so a switch from Elastic Premium removes them.
var premiumOnlyRemoved = toObject(map(items(premiumOnlySettings), setting => setting.key), key => key, key => null)

// Every setting the template owns, in the order they override each other: additionalAppSettings wins.
var desiredSettings = union(
  issuerSetting,
  appSettings,
  hostSettings,
  isFlex ? premiumOnlyRemoved : premiumOnlySettings,
  additionalAppSettings
)

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
  tags: union(tags, siteTags)
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
    // The token endpoint is public (clients call it from anywhere); in the private shape only its outbound
    // traffic (storage, Key Vault) goes through the virtual network.
    publicNetworkAccess: 'Enabled'
    virtualNetworkSubnetId: vnetIntegrated ? appSubnetId : null
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: isFlex ? null : 'DOTNET-ISOLATED|10.0'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      remoteDebuggingEnabled: false
      // Flex Consumption routes all outbound traffic through the integrated network; Elastic Premium needs this.
      vnetRouteAllEnabled: !isFlex && vnetIntegrated ? true : null
      // The platform answers preflights before the worker sees them. Never with credentials: browser clients
      // authenticate with the request body or PKCE, not cookies.
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: false
      }
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

// The settings the app has now: read when this resource deploys (after the site exists), so that a redeploy keeps
// what the template does not own (appsettings.bicep states the rule).
resource settings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: mergeAppSettings(list('${site.id}/config/appsettings', '2024-11-01').properties, desiredSettings)
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

// A custom domain: bound first without TLS (App Service checks the DNS records), then a free managed certificate
// is issued for it, then the binding is switched to SNI with that certificate (a second update of the binding,
// hence the module).
resource hostNameBinding 'Microsoft.Web/sites/hostNameBindings@2024-11-01' = if (hasCustomDomain) {
  parent: site
  name: hasCustomDomain ? customDomainName : 'none'
  properties: {
    siteName: site.name
    hostNameType: 'Verified'
    customHostNameDnsRecordType: 'CName'
    sslState: 'Disabled'
  }
}

resource managedCertificate 'Microsoft.Web/certificates@2024-11-01' = if (hasCustomDomain) {
  name: '${site.name}-${customDomainName}'
  location: location
  tags: tags
  properties: {
    serverFarmId: plan.id
    canonicalName: customDomainName
  }
  dependsOn: [
    hostNameBinding
  ]
}

module tlsBinding 'tlsbinding.bicep' = if (hasCustomDomain) {
  name: 'tlsBinding'
  params: {
    siteName: site.name
    hostName: customDomainName
    thumbprint: managedCertificate!.properties.thumbprint
  }
}

@description('Name of the function app.')
output functionAppName string = site.name

@description('Default host name of the function app.')
output defaultHostName string = site.properties.defaultHostName

@description('The issuer the app is configured with (Token__Issuer).')
output issuer string = effectiveIssuer

@description('The value of the asuid.<custom domain> TXT record that proves the domain is yours.')
output customDomainVerificationId string = site.properties.customDomainVerificationId
