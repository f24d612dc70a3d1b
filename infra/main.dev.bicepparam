// Development: the quick-start shape (public network access, authenticated with Entra ID), Flex Consumption at its
// smallest scale-out ceiling (40, the lowest value Flex has always accepted), RSA key, locally redundant storage,
// short log retention (the audit trail too).
using 'main.bicep'

param environmentName = 'dev'
param audience = 'api://oauthtoken-dev'
param planSku = 'FC1'
param maximumInstanceCount = 40
param instanceMemoryMB = 2048
param vnetEnabled = false
param storageSkuName = 'Standard_LRS'
param accessTokenLifetimeSeconds = 600
param corsAllowedOrigins = [
  'http://localhost:3000'
]
param signingKeyType = 'RSA'
param keyVaultEnablePurgeProtection = true
param deployerPrincipalType = 'ServicePrincipal'
param logRetentionInDays = 30
param logDailyQuotaGb = 1
param auditLogRetentionInDays = 30
// Alerts notify nobody until an action group is given: alertActionGroupId = '<resource id>' or
// alertEmailAddresses = ['oncall@example.com'] (docs/operations.md).
