// Production: Flex Consumption with room to scale, RSA key, longer log retention.
// Set `issuer` to the stable public URL once a custom domain fronts the app: clients and resource servers
// pin the issuer, so it must not change with the function app's name.
using 'main.bicep'

param environmentName = 'prod'
param audience = 'api://oauthtoken'
param planSku = 'FC1'
param maximumInstanceCount = 100
param instanceMemoryMB = 2048
param accessTokenLifetimeSeconds = 600
param signingKeyType = 'RSA'
param logRetentionInDays = 90
param logDailyQuotaGb = 5
