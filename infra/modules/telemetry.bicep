// The telemetry contract as the workspace sees it, and the KQL the alert rules and the audit workspace run over it:
// one place for every name the code emits (docs/operations.md lists them; the app's meter and audit logger emit
// them). TokenFunction.Tests/Infra evaluates these functions with the Bicep CLI and checks the names.
// Workspace tables: AppRequests (server spans), AppDependencies (Table Storage and Key Vault calls), AppTraces
// (logs, the audit events among them), AppMetrics (the meter's instruments), AZKVAuditLogs (the vault's own log).

@export()
@description('Log category of the audit events (Properties.CategoryName in AppTraces).')
var auditCategory = 'TokenFunction.Audit'

@export()
@description('Event ids of the audit events (Properties.EventId in AppTraces).')
var auditEventIds = {
  tokenIssued: 5001
  codeReplayDetected: 5002
  refreshReuseDetected: 5003
  grantRevoked: 5004
  clientRegistered: 5005
  clientRemoved: 5006
  signingKeyRotated: 5007
}

@export()
@description('Counter of purge runs (attribute outcome: ok or failed); AppMetrics.Name.')
var purgeRunsMetric = 'oauth.purge.runs'

@export()
@description('The timer function that purges dead grants (TokenFunction/Functions/PurgeTimerFunction.cs); AppRequests.Name of its invocations.')
var purgeFunctionName = 'Purge'

@export()
@description('Route of the token endpoint (TokenFunction/Functions/Routes.cs; host.json has no route prefix).')
var tokenRoute = 'api/v1/oauth/token'

// One line per KQL clause, so the compiled template and the alert's query in the portal stay readable.
func kql(lines string[]) string => join(lines, '\n')

// The token endpoint's requests, weighted by ItemCount so that sampling does not skew counts and percentiles.
func tokenRequests() string => kql([
  'AppRequests'
  '| where tostring(parse_url(Url).Path) == "/${tokenRoute}"'
])

@export()
@description('Share of the token endpoint\'s requests answered 5xx, in percent, per 5 minutes with at least minimumRequests requests (measure: ServerErrorPercent).')
func tokenServerErrorsQuery(minimumRequests int) string => kql([
  tokenRequests()
  '| summarize Requests = sum(ItemCount), ServerErrors = sumif(ItemCount, toint(ResultCode) >= 500) by bin(TimeGenerated, 5m)'
  '| where Requests >= ${minimumRequests}'
  '| extend ServerErrorPercent = 100.0 * ServerErrors / Requests'
])

@export()
@description('95th percentile of the token endpoint\'s duration in milliseconds, per 5 minutes with at least minimumRequests requests (measure: P95Ms).')
func tokenLatencyQuery(minimumRequests int) string => kql([
  tokenRequests()
  '| summarize Requests = sum(ItemCount), P95Ms = percentilew(DurationMs, ItemCount, 95) by bin(TimeGenerated, 5m)'
  '| where Requests >= ${minimumRequests}'
])

// The audit events of one id, with the fields every alert and query uses.
func auditEvents(eventId int) string => kql([
  'AppTraces'
  '| where tostring(Properties.CategoryName) == "${auditCategory}"'
  '| where tostring(Properties.EventId) == "${eventId}"'
  '| extend ClientId = tostring(Properties.ClientId), Grant = tostring(Properties.Grant), SubjectHash = tostring(Properties.SubjectHash)'
])

@export()
@description('Every RefreshReuseDetected audit event: a retired refresh token presented again, its grant revoked (one row each; dimension ClientId).')
func refreshReuseQuery() string => auditEvents(auditEventIds.refreshReuseDetected)

@export()
@description('Failed Table Storage and Key Vault calls the app made (dimension Service), without the answers the code expects: storage 404 (no such row), 409 and 412 (optimistic concurrency), and Key Vault\'s 401 challenge that precedes every token.')
func dependencyFailuresQuery(keyVaultDnsSuffix string, storageSuffix string) string => kql([
  'AppDependencies'
  '| where Success == false'
  '| extend Service = case(Type =~ "Microsoft.KeyVault" or Target contains "${keyVaultDnsSuffix}", "keyvault", Type =~ "Azure table" or Type =~ "Microsoft.Storage" or Target contains ".table.${storageSuffix}", "storage", "")'
  '| where Service != ""'
  '| where not(Service == "storage" and ResultCode in ("404", "409", "412"))'
  '| where not(Service == "keyvault" and ResultCode == "401")'
])

@export()
@description('Requests the vault itself refused or failed (its audit log; dimension OperationName): denied (403: a role or the network), throttled (429), missing (404), server errors, except the 401 of the authentication challenge.')
func keyVaultFailuresQuery() string => kql([
  'AZKVAuditLogs'
  '| where HttpStatusCode >= 400 and not(OperationName == "Authentication" and HttpStatusCode == 401)'
  '| project TimeGenerated, OperationName, HttpStatusCode, ResultSignature, CallerIpAddress, RequestUri'
])

@export()
@description('Successful purge runs: the purge counter with outcome ok, or a successful invocation of the Purge function (either is enough; no row at all means the purge is not running).')
func purgeRunsQuery() string => kql([
  'union isfuzzy=true'
  '  (AppMetrics | where Name == "${purgeRunsMetric}" and tostring(Properties.outcome) == "ok" and Sum > 0),'
  '  (AppRequests | where Name == "${purgeFunctionName}" and Success == true)'
  '| project TimeGenerated'
])

@export()
@description('The workspace reached its daily cap and stops ingesting billable data until its reset hour (learn.microsoft.com: azure-monitor/logs/daily-cap).')
func dailyCapReachedQuery() string => kql([
  '_LogOperation'
  '| where Category =~ "Ingestion"'
  '| where Detail contains "OverQuota"'
])

@export()
@description('The audit workspace\'s ingestion-time transformation of AppTraces: only the audit events are kept (Properties is parsed first: transformations over a dynamic column need parse_json).')
func auditTracesTransform() string => 'source | extend AuditProperties = parse_json(tostring(Properties)) | where tostring(AuditProperties.CategoryName) == "${auditCategory}" | project-away AuditProperties'
