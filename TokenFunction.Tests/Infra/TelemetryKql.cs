using System.Text.Json.Nodes;

namespace TokenFunction.Tests.Infra;

/// <summary>
/// The names and the KQL of infra/modules/telemetry.bicep as ARM computes them: evaluated once by the Bicep CLI, with
/// the public cloud's endpoint suffixes where the template passes <c>environment().suffixes</c>. No KQL parser is
/// available offline, so the tests check what each query reads and names, not that Log Analytics accepts it.
/// </summary>
internal static class TelemetryKql
{
    /// <summary><c>environment().suffixes.keyvaultDns</c> in the public cloud.</summary>
    public const string KeyVaultDnsSuffix = ".vault.azure.net";

    /// <summary><c>environment().suffixes.storage</c> in the public cloud.</summary>
    public const string StorageSuffix = "core.windows.net";

    /// <summary>The template's default of <c>alertTokenMinimumRequests</c>, passed to the token queries.</summary>
    public const int MinimumRequests = 20;

    private static readonly Lazy<JsonObject> Evaluated = new(Evaluate);

    public static string AuditCategory => Text("auditCategory");

    public static JsonObject AuditEventIds => Evaluated.Value["auditEventIds"]!.AsObject();

    public static string TokenServerErrors => Text("tokenServerErrors");

    public static string TokenLatency => Text("tokenLatency");

    public static string RefreshReuse => Text("refreshReuse");

    public static string DependencyFailures => Text("dependencyFailures");

    public static string KeyVaultFailures => Text("keyVaultFailures");

    public static string PurgeRuns => Text("purgeRuns");

    public static string DailyCapReached => Text("dailyCapReached");

    public static string AuditTracesTransform => Text("auditTracesTransform");

    private static string Text(string key) => (string?)Evaluated.Value[key] ?? throw new InvalidOperationException($"telemetry.bicep gave no {key}.");

    private static JsonObject Evaluate() =>
        BicepFunction.EvaluateExpression("modules/telemetry.bicep", "* as telemetry", $$"""
            {
              auditCategory: telemetry.auditCategory
              auditEventIds: telemetry.auditEventIds
              tokenServerErrors: telemetry.tokenServerErrorsQuery({{MinimumRequests}})
              tokenLatency: telemetry.tokenLatencyQuery({{MinimumRequests}})
              refreshReuse: telemetry.refreshReuseQuery()
              dependencyFailures: telemetry.dependencyFailuresQuery('{{KeyVaultDnsSuffix}}', '{{StorageSuffix}}')
              keyVaultFailures: telemetry.keyVaultFailuresQuery()
              purgeRuns: telemetry.purgeRunsQuery()
              dailyCapReached: telemetry.dailyCapReachedQuery()
              auditTracesTransform: telemetry.auditTracesTransform()
            }
            """) as JsonObject ?? throw new InvalidOperationException("telemetry.bicep evaluated to nothing.");
}
