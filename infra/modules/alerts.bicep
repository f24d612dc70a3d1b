// The alert rules and where they notify. Log search rules over the workspaces (the KQL is in telemetry.bicep), and the
// signing key's near-expiry and expiry events delivered by Event Grid as Azure Monitor alerts, all to the same action
// groups: an existing one (alertActionGroupId, e.g. the on-call rotation) and/or one created here for e-mail
// addresses. With neither, every rule still fires into Azure Monitor > Alerts, but notifies nobody; the deployment's
// alertNotifications output says so. docs/operations.md says what each alert means and what to do.

import {
  tokenServerErrorsQuery
  tokenLatencyQuery
  refreshReuseQuery
  dependencyFailuresQuery
  keyVaultFailuresQuery
  purgeRunsQuery
  dailyCapReachedQuery
} from 'telemetry.bicep'

@description('Azure region of the alert rules and the Event Grid system topic (the workspaces\' and the vault\'s).')
param location string

@description('Tags for every resource.')
param tags object

@description('Prefix of the alert rules\' names, e.g. oauthtoken-prod.')
param namePrefix string

@description('The operational workspace: Application Insights\' tables.')
param workspaceId string

@description('The audit workspace: the vault\'s audit log (AZKVAuditLogs).')
param auditWorkspaceId string

@description('Name of the vault whose signing-key events (near expiry, expired) become alerts.')
param keyVaultName string

@description('Resource id of an existing action group every alert notifies; empty for none.')
param actionGroupId string

@description('E-mail addresses notified by an action group created here; empty for none.')
param emailAddresses string[]

@description('Name of the action group created for emailAddresses.')
param actionGroupName string

@description('Short name of that action group (at most 12 characters; shown in SMS and e-mail).')
@maxLength(12)
param actionGroupShortName string

@description('Token endpoint: alert when more than this percentage of requests answer 5xx.')
@minValue(1)
@maxValue(100)
param tokenServerErrorPercent int

@description('Token endpoint: alert when the 95th percentile of the duration exceeds this many milliseconds.')
@minValue(100)
param tokenLatencyP95Milliseconds int

@description('Token endpoint: the 5xx and latency rules judge only 5-minute bins with at least this many requests.')
@minValue(1)
param tokenMinimumRequests int

@description('Alert when the app\'s failed Table Storage and Key Vault calls in 15 minutes exceed this count.')
@minValue(0)
param dependencyFailureThreshold int

@description('Whether the operational workspace has a daily cap (then a rule says when it is reached).')
param dailyCapEnabled bool

resource createdActionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(emailAddresses)) {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    enabled: true
    groupShortName: actionGroupShortName
    emailReceivers: [
      for (address, i) in emailAddresses: {
        name: 'email-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
  }
}

var actionGroupIds = concat(
  empty(actionGroupId) ? [] : [actionGroupId],
  empty(emailAddresses) ? [] : [createdActionGroup.id]
)

var runbook = 'docs/operations.md, "Alerts"'

// Every log search rule: its query (telemetry.bicep), how the rows are measured, and when it fires. A rule with a
// measure column compares the aggregation of that column with the threshold; one without counts the rows.
var ruleDefinitions = [
  {
    name: 'token-5xx'
    displayName: 'Token endpoint: 5xx rate'
    description: 'More than ${tokenServerErrorPercent}% of the token endpoint\'s requests answered 5xx over 15 minutes (5-minute bins of at least ${tokenMinimumRequests} requests). ${runbook}.'
    severity: 1
    scope: workspaceId
    query: tokenServerErrorsQuery(tokenMinimumRequests)
    measure: 'ServerErrorPercent'
    aggregation: 'Average'
    operator: 'GreaterThan'
    threshold: tokenServerErrorPercent
    dimensions: []
    windowSize: 'PT15M'
    evaluationFrequency: 'PT5M'
  }
  {
    name: 'token-latency-p95'
    displayName: 'Token endpoint: p95 latency'
    description: 'The token endpoint\'s 95th percentile duration exceeded ${tokenLatencyP95Milliseconds} ms over 15 minutes (5-minute bins of at least ${tokenMinimumRequests} requests). ${runbook}.'
    severity: 2
    scope: workspaceId
    query: tokenLatencyQuery(tokenMinimumRequests)
    measure: 'P95Ms'
    aggregation: 'Average'
    operator: 'GreaterThan'
    threshold: tokenLatencyP95Milliseconds
    dimensions: []
    windowSize: 'PT15M'
    evaluationFrequency: 'PT5M'
  }
  {
    name: 'refresh-reuse'
    displayName: 'Refresh token reuse detected'
    description: 'A retired refresh token was presented again (audit event 5003, RefreshReuseDetected) and its grant revoked: a stolen token, or a client that lost a rotation. One alert per client. ${runbook}.'
    severity: 1
    scope: workspaceId
    query: refreshReuseQuery()
    measure: null
    aggregation: 'Count'
    operator: 'GreaterThan'
    threshold: 0
    dimensions: [
      'ClientId'
    ]
    windowSize: 'PT5M'
    evaluationFrequency: 'PT5M'
  }
  {
    name: 'dependency-failures'
    displayName: 'Table Storage or Key Vault calls failing'
    description: 'More than ${dependencyFailureThreshold} of the app\'s Table Storage or Key Vault calls failed in 15 minutes (expected answers excluded), by service. ${runbook}.'
    severity: 2
    scope: workspaceId
    query: dependencyFailuresQuery(environment().suffixes.keyvaultDns, environment().suffixes.storage)
    measure: null
    aggregation: 'Count'
    operator: 'GreaterThan'
    threshold: dependencyFailureThreshold
    dimensions: [
      'Service'
    ]
    windowSize: 'PT15M'
    evaluationFrequency: 'PT5M'
  }
  {
    name: 'keyvault-failures'
    displayName: 'Key Vault refused or failed requests'
    description: 'The vault\'s own audit log shows refused or failed requests (403, 429, 404, 5xx; not the 401 authentication challenge) in 15 minutes, by operation. ${runbook}.'
    severity: 2
    scope: auditWorkspaceId
    query: keyVaultFailuresQuery()
    measure: null
    aggregation: 'Count'
    operator: 'GreaterThan'
    threshold: 0
    dimensions: [
      'OperationName'
    ]
    windowSize: 'PT15M'
    evaluationFrequency: 'PT5M'
  }
  {
    name: 'purge-not-running'
    displayName: 'Purge not running'
    description: 'No successful purge run (metric oauth.purge.runs with outcome ok, or a successful Purge invocation) for 30 minutes; the timer runs every 10. ${runbook}.'
    severity: 2
    scope: workspaceId
    query: purgeRunsQuery()
    measure: null
    aggregation: 'Count'
    operator: 'LessThan'
    threshold: 1
    dimensions: []
    windowSize: 'PT30M'
    evaluationFrequency: 'PT10M'
  }
  {
    name: 'daily-cap-reached'
    displayName: 'Operational workspace reached its daily cap'
    description: 'The operational workspace reached its daily cap and ingests no more telemetry until its reset hour: the other alerts are blind meanwhile (the audit trail goes on in the audit workspace). ${runbook}.'
    severity: 2
    scope: workspaceId
    query: dailyCapReachedQuery()
    measure: null
    aggregation: 'Count'
    operator: 'GreaterThan'
    threshold: 0
    dimensions: []
    windowSize: 'PT15M'
    evaluationFrequency: 'PT5M'
  }
]

// skipQueryValidation: a new workspace has none of these tables until the first rows arrive (AZKVAuditLogs, AppMetrics),
// and validation would refuse the rule; the queries are checked by TokenFunction.Tests/Infra instead.
resource logAlerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in ruleDefinitions: if (rule.name != 'daily-cap-reached' || dailyCapEnabled) {
    name: 'alert-${namePrefix}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        rule.scope
      ]
      evaluationFrequency: rule.evaluationFrequency
      windowSize: rule.windowSize
      skipQueryValidation: true
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: rule.query
            metricMeasureColumn: rule.measure
            timeAggregation: rule.aggregation
            operator: rule.operator
            threshold: rule.threshold
            dimensions: [
              for dimension in rule.dimensions: {
                name: dimension
                operator: 'Include'
                values: [
                  '*'
                ]
              }
            ]
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: actionGroupIds
      }
    }
  }
]

// Key Vault publishes KeyNearExpiry (signingKeyNotifyBeforeExpiry before a version expires, which happens only if
// rotation failed) and KeyExpired to Event Grid; delivered as Azure Monitor alerts (Key Vault is the one source that
// destination accepts, with the CloudEvents schema) to the same action groups.
resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource keyVaultEvents 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: 'evgt-${keyVaultName}'
  location: location
  tags: tags
  properties: {
    source: vault.id
    topicType: 'Microsoft.KeyVault.vaults'
  }
}

var keyEventAlerts = [
  {
    name: 'signing-key-near-expiry'
    eventType: 'Microsoft.KeyVault.KeyNearExpiry'
    severity: 'Sev2'
    description: 'The current signing key version is near its expiry: automatic rotation did not happen. Rotate now (docs/deploy.md, "Rotating the signing key by hand"); ${runbook}.'
  }
  {
    name: 'signing-key-expired'
    eventType: 'Microsoft.KeyVault.KeyExpired'
    severity: 'Sev1'
    description: 'The current signing key version expired: the app cannot sign tokens with it. Rotate now (docs/deploy.md, "Rotating the signing key by hand"); ${runbook}.'
  }
]

resource keyEventAlert 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = [
  for alert in keyEventAlerts: {
    parent: keyVaultEvents
    name: alert.name
    properties: {
      eventDeliverySchema: 'CloudEventSchemaV1_0'
      filter: {
        includedEventTypes: [
          alert.eventType
        ]
      }
      destination: {
        endpointType: 'MonitorAlert'
        properties: {
          severity: alert.severity
          description: alert.description
          actionGroups: actionGroupIds
        }
      }
    }
  }
]

@description('Resource ids of the action groups every alert notifies (empty: alerts notify nobody).')
output actionGroupIds string[] = actionGroupIds
