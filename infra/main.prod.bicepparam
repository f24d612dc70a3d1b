// Production: private networking (storage and Key Vault reachable only through private endpoints), zone-redundant
// storage, purge protection, Flex Consumption with room to scale, RSA key, longer log retention, a year of audit trail.
// Set `customDomainName` (and with it the issuer) once the domain's DNS records exist: clients and resource servers
// pin the issuer, so it must not change with the function app's name.
using 'main.bicep'

param environmentName = 'prod'
param audience = 'api://oauthtoken'
param planSku = 'FC1'
param maximumInstanceCount = 100
param instanceMemoryMB = 2048
param vnetEnabled = true
param storageSkuName = 'Standard_ZRS'
param accessTokenLifetimeSeconds = 600
param corsAllowedOrigins = []
param signingKeyType = 'RSA'
param keyVaultEnablePurgeProtection = true
param deployerPrincipalType = 'ServicePrincipal'
param logRetentionInDays = 90
param logDailyQuotaGb = 5
param auditLogRetentionInDays = 365
// Set the on-call rotation's action group before the first production deployment (docs/operations.md):
// param alertActionGroupId = '/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Insights/actionGroups/<name>'
