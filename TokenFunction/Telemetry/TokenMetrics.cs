using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TokenFunction.Telemetry;

/// <summary>
/// The service's meter and its instruments (docs/operations.md, "Metrics"). Static, as the ActivitySource is: the
/// instruments cost nothing until an exporter listens, and every layer records through these methods, so the attribute
/// names and values (all from bounded sets: grant types served, registered client ids, OAuth error codes) stay as documented.
/// </summary>
public static class TokenMetrics
{
    private static readonly Meter s_meter = new(TelemetryNames.Source);

    private static readonly Counter<long> s_tokensIssued = s_meter.CreateCounter<long>(
        TelemetryNames.TokensIssued, "{token}", "Access tokens issued.");

    private static readonly Counter<long> s_requestsRejected = s_meter.CreateCounter<long>(
        TelemetryNames.RequestsRejected, "{request}", "Token and revocation requests answered with an error.");

    private static readonly Counter<long> s_grantsRevoked = s_meter.CreateCounter<long>(
        TelemetryNames.GrantsRevoked, "{grant}", "Grants revoked, by reason.");

    private static readonly Histogram<double> s_requestDuration = s_meter.CreateHistogram<double>(
        TelemetryNames.RequestDuration, "s", "Time to answer a token or revocation request.");

    private static readonly Histogram<double> s_storageDuration = s_meter.CreateHistogram<double>(
        TelemetryNames.StorageDuration, "s", "Table Storage time per call, retries included.");

    private static readonly Histogram<double> s_signingDuration = s_meter.CreateHistogram<double>(
        TelemetryNames.SigningDuration, "s", "Time to sign an access token.");

    private static readonly Counter<long> s_purgeRowsDeleted = s_meter.CreateCounter<long>(
        TelemetryNames.PurgeRowsDeleted, "{row}", "Rows the purge deleted.");

    private static readonly Counter<long> s_purgeRowsSkipped = s_meter.CreateCounter<long>(
        TelemetryNames.PurgeRowsSkipped, "{row}", "Grants the purge could not read (malformed rows).");

    private static readonly Counter<long> s_purgeRuns = s_meter.CreateCounter<long>(
        TelemetryNames.PurgeRuns, "{run}", "Purge runs, by outcome.");

    public static void TokenIssued(string grantType, string clientId) =>
        s_tokensIssued.Add(1, new(TelemetryNames.Tag.GrantType, grantType), new(TelemetryNames.Tag.ClientId, clientId));

    public static void RequestRejected(string error, string grantType) =>
        s_requestsRejected.Add(1, new(TelemetryNames.Tag.Error, error), new(TelemetryNames.Tag.GrantType, grantType));

    public static void GrantRevoked(string reason) =>
        s_grantsRevoked.Add(1, new KeyValuePair<string, object?>(TelemetryNames.Tag.Reason, reason));

    public static void RequestAnswered(string endpoint, string grantType, int status, TimeSpan elapsed) =>
        s_requestDuration.Record(elapsed.TotalSeconds, new TagList
        {
            { TelemetryNames.Tag.Endpoint, endpoint },
            { TelemetryNames.Tag.GrantType, grantType },
            { TelemetryNames.Tag.Status, status },
        });

    public static void StorageCall(string operation, bool failed, TimeSpan elapsed) =>
        s_storageDuration.Record(elapsed.TotalSeconds, new(TelemetryNames.Tag.Operation, operation), Outcome(failed));

    public static void Signing(string signer, bool failed, TimeSpan elapsed) =>
        s_signingDuration.Record(elapsed.TotalSeconds, new(TelemetryNames.Tag.Signer, signer), Outcome(failed));

    public static void PurgeRan(bool failed, int rowsDeleted, int rowsSkipped)
    {
        s_purgeRuns.Add(1, Outcome(failed));
        if (rowsDeleted > 0)
        {
            s_purgeRowsDeleted.Add(rowsDeleted);
        }

        if (rowsSkipped > 0)
        {
            s_purgeRowsSkipped.Add(rowsSkipped);
        }
    }

    private static KeyValuePair<string, object?> Outcome(bool failed) =>
        new(TelemetryNames.Tag.Outcome, failed ? TelemetryNames.Value.Failed : TelemetryNames.Value.Ok);
}
