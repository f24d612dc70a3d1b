// Development: Flex Consumption at its smallest scale-out ceiling (40, the lowest value Flex has always accepted), RSA key,
// short log retention.
using 'main.bicep'

param environmentName = 'dev'
param audience = 'api://oauthtoken-dev'
param planSku = 'FC1'
param maximumInstanceCount = 40
param instanceMemoryMB = 2048
param accessTokenLifetimeSeconds = 600
param signingKeyType = 'RSA'
param logRetentionInDays = 30
param logDailyQuotaGb = 1
