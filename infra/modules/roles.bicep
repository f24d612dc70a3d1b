// Built-in Azure role definition ids (the same GUID in every tenant), from
// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles.
// Imported by the modules that assign them, so each id is written once.

@export()
@description('Key Vault Crypto User: sign/verify and read keys; granted on the signing key only.')
var keyVaultCryptoUser = '12338af0-0e69-4776-bea7-57ae8d297424'

@export()
@description('Storage Blob Data Owner: what the Functions host needs for AzureWebJobsStorage (leases, keys) and the deployment container.')
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'

@export()
@description('Storage Table Data Contributor: the token tables (OAuthClients, OAuthGrants) and the host\'s diagnostic events.')
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

@export()
@description('Monitoring Metrics Publisher: Entra-authenticated telemetry to Application Insights with local auth off.')
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'
