using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using TokenFunction.Grants;
using TokenFunction.Telemetry;

namespace TokenFunction.Storage;

/// <summary>What a purge did.</summary>
public sealed record PurgeReport(int IndexRowsVisited, int GrantsDeleted, int RowsDeleted)
{
    /// <summary>Rows of expired client assertion ids deleted (see <see cref="ClientAssertionReplayStore"/>).</summary>
    public int AssertionIdsDeleted { get; init; }

    /// <summary>Rows of expired DPoP proof ids deleted (see <see cref="DpopProofReplayStore"/>).</summary>
    public int DpopProofIdsDeleted { get; init; }

    /// <summary>Grants whose root row could not be read (<see cref="MalformedRowException"/>), deleted as past their index.</summary>
    public int UnreadableGrantsDeleted { get; init; }

    public PurgeReport Add(PurgeReport other) => new(IndexRowsVisited + other.IndexRowsVisited, GrantsDeleted + other.GrantsDeleted, RowsDeleted + other.RowsDeleted)
    {
        AssertionIdsDeleted = AssertionIdsDeleted + other.AssertionIdsDeleted,
        DpopProofIdsDeleted = DpopProofIdsDeleted + other.DpopProofIdsDeleted,
        UnreadableGrantsDeleted = UnreadableGrantsDeleted + other.UnreadableGrantsDeleted,
    };
}

/// <summary>What a revoke-all did: grants revoked now, and grants skipped because their root row could not be read.</summary>
public sealed record RevokeReport(int Revoked, int Skipped);

/// <summary>
/// Housekeeping Table Storage cannot do itself (it has no TTL), and the operator's "revoke everything of X".
/// The purge reads only due rows of the expiry index (PartitionKey below the current UTC hour), never the grants
/// table as a whole; every delete is conditional on the ETag just read, and 404 or 412 is an expected outcome, so
/// two instances may purge at once and a run may stop anywhere and be repeated.
/// </summary>
public sealed partial class GrantMaintenance(
    TokenTables tables, AuthorizationCodeStore codes, ClientAssertionReplayStore assertionIds, DpopProofReplayStore proofIds, TimeProvider time, AuditLog audit, ILogger<GrantMaintenance> logger)
{
    public const int DefaultBatchSize = 200;

    /// <summary>Processes at most <paramref name="maxIndexRows"/> due index rows.</summary>
    public async Task<PurgeReport> PurgeBatchAsync(int maxIndexRows, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expiry = await tables.GetAsync(TableNames.Expiry, cancellationToken).ConfigureAwait(false);
        var due = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey lt {GrantIndexKeys.HourBucket(now)}");
        await foreach (var row in expiry.QueryAsync<TableEntity>(filter, maxPerPage: maxIndexRows, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            due.Add(row);
            if (due.Count >= maxIndexRows)
            {
                break;
            }
        }

        int grants = 0, rows = 0, unreadable = 0;
        foreach (var index in due)
        {
            var outcome = await PurgeGrantAsync(index.RowKey, now, cancellationToken).ConfigureAwait(false);
            rows += outcome.DeletedRows;
            grants += outcome.DeletedRows > 0 ? 1 : 0;
            unreadable += outcome.Unreadable ? 1 : 0;
            if (outcome.Finished)
            {
                await DeleteIfUnchangedAsync(expiry, index, cancellationToken).ConfigureAwait(false);
            }
        }

        LogPurged(logger, due.Count, grants, rows, unreadable);
        return new PurgeReport(due.Count, grants, rows) { UnreadableGrantsDeleted = unreadable };
    }

    /// <summary>
    /// Runs batches until the due backlog is empty or <paramref name="maxBatches"/> ran, then deletes the ids of
    /// expired client assertions and of expired DPoP proofs (each as many rows as the batches allow). Counts the run
    /// (<c>oauth.purge.runs</c>) and its rows, which the purge-not-running alert watches.
    /// </summary>
    public async Task<PurgeReport> PurgeAsync(int batchSize, int maxBatches, CancellationToken cancellationToken)
    {
        using var span = TokenActivity.Source.StartActivity("Purge");
        try
        {
            var report = await PurgeBacklogAsync(batchSize, maxBatches, cancellationToken).ConfigureAwait(false);
            TokenMetrics.PurgeRan(failed: false, report.RowsDeleted + report.AssertionIdsDeleted + report.DpopProofIdsDeleted, report.UnreadableGrantsDeleted);
            return report;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // What the purge-not-running alert watches for; the exception goes on to the host, which logs it.
            TokenMetrics.PurgeRan(failed: true, 0, 0);
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
            throw;
        }
    }

    private async Task<PurgeReport> PurgeBacklogAsync(int batchSize, int maxBatches, CancellationToken cancellationToken)
    {
        var total = new PurgeReport(0, 0, 0);
        for (var batch = 0; batch < maxBatches; batch++)
        {
            var report = await PurgeBatchAsync(batchSize, cancellationToken).ConfigureAwait(false);
            total = total.Add(report);
            if (report.IndexRowsVisited < batchSize)
            {
                break;
            }
        }

        var maxRows = (int)Math.Min((long)batchSize * maxBatches, int.MaxValue);
        var assertions = await assertionIds.PurgeExpiredAsync(maxRows, cancellationToken).ConfigureAwait(false);
        var proofs = await proofIds.PurgeExpiredAsync(maxRows, cancellationToken).ConfigureAwait(false);
        return total with { AssertionIdsDeleted = assertions, DpopProofIdsDeleted = proofs };
    }

    /// <summary>
    /// Revokes every grant indexed under the subject (or client). A grant whose root row cannot be read is skipped and
    /// logged: it cannot issue anything (the token endpoint refuses it too), and the purge deletes it past its index.
    /// </summary>
    public async Task<RevokeReport> RevokeAllAsync(string indexPartition, CancellationToken cancellationToken)
    {
        var index = await tables.GetAsync(TableNames.GrantIndex, cancellationToken).ConfigureAwait(false);
        int revoked = 0, skipped = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {indexPartition}");
        await foreach (var row in index.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var root = await codes.FindByGrantAsync(row.RowKey, cancellationToken).ConfigureAwait(false);
                if (root is null)
                {
                    await DeleteIfUnchangedAsync(index, row, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (root.RevokedAt is null)
                {
                    await codes.RevokeAsync(root, cancellationToken).ConfigureAwait(false);
                    revoked++;
                    audit.GrantRevoked(root.ClientId, GrantKeys.ForLog(root.GrantId), root.Subject, RevocationReason.Operator, TelemetryNames.Value.Operator);
                }
            }
            catch (MalformedRowException e)
            {
                skipped++;
                LogUnreadableGrantSkipped(logger, e.ShortId, e.Problem);
            }
        }

        return new RevokeReport(revoked, skipped);
    }

    /// <summary>
    /// Deletes the grant's partition when the grant is dead: revoked, a code never redeemed (or redeemed without refresh
    /// tokens) past its expiry, or refresh tokens past their idle or absolute expiry. Retired refresh tokens go with
    /// their grant, not before: they are what detects reuse. A live grant's index row is moved to the hour it becomes
    /// purgeable (rotations slide the idle expiry; a code's row comes due before its grant's). A root row that cannot be
    /// read is past its index and unusable: the partition goes. Finished = the index row may go.
    /// </summary>
    private async Task<GrantPurge> PurgeGrantAsync(string grantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var grants = await tables.GetAsync(TableNames.Grants, cancellationToken).ConfigureAwait(false);
        AuthorizationGrant? root;
        try
        {
            root = await codes.FindByGrantAsync(grantId, cancellationToken).ConfigureAwait(false);
        }
        catch (MalformedRowException e)
        {
            var removed = await DeletePartitionAsync(grants, grantId, keepRoot: false, cancellationToken).ConfigureAwait(false);
            LogUnreadableGrantDeleted(logger, e.ShortId, e.Problem, removed);
            return new GrantPurge(Finished: true, removed, Unreadable: true);
        }

        if (root is not null && !root.IsDeadAt(now))
        {
            await codes.IndexExpiryAsync(grantId, root.DueAt, cancellationToken).ConfigureAwait(false);
            return new GrantPurge(Finished: true, DeletedRows: 0);
        }

        var deleted = await DeletePartitionAsync(grants, grantId, keepRoot: true, cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return new GrantPurge(Finished: true, deleted);
        }

        // The root last, with the ETag read above: if a late replay revoked it meanwhile, it stays for the next run.
        try
        {
            await grants.DeleteEntityAsync(root.GrantId, AuthorizationCodeEntity.Row, TableVersions.ToETag(root.Version, "Delete"), cancellationToken).ConfigureAwait(false);
            deleted++;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return new GrantPurge(Finished: false, deleted);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }

        var index = await tables.GetAsync(TableNames.GrantIndex, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(
            DeleteAsync(index, GrantIndexKeys.BySubject(root.Subject), grantId, cancellationToken),
            DeleteAsync(index, GrantIndexKeys.ByClient(root.ClientId), grantId, cancellationToken)).ConfigureAwait(false);
        return new GrantPurge(Finished: true, deleted);
    }

    /// <summary>Deletes the partition's rows (found by their keys alone, so no column can break the query), each if unchanged.</summary>
    private static async Task<int> DeletePartitionAsync(TableClient grants, string grantId, bool keepRoot, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {grantId}");
        await foreach (var row in grants.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if ((!keepRoot || row.RowKey != AuthorizationCodeEntity.Row) && await DeleteIfUnchangedAsync(grants, row, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }

    private sealed record GrantPurge(bool Finished, int DeletedRows, bool Unreadable = false);

    private static async Task<bool> DeleteIfUnchangedAsync(TableClient table, TableEntity row, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    private static async Task DeleteAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        // Index rows are rewritten with the same content, so an unconditional delete of a dead grant's row is safe.
        // DeleteEntityAsync answers 404 without throwing.
        await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purge: {IndexRows} due index rows, {Grants} grants deleted ({Rows} rows), {Unreadable} of them unreadable.")]
    private static partial void LogPurged(ILogger logger, int indexRows, int grants, int rows, int unreadable);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purge: grant {Grant} is past its expiry index and its root row cannot be read ({Problem}); deleted its {Rows} rows.")]
    private static partial void LogUnreadableGrantDeleted(ILogger logger, string grant, string problem, int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped grant {Grant}: its root row cannot be read ({Problem}). It cannot issue tokens; the purge deletes it past its expiry index.")]
    private static partial void LogUnreadableGrantSkipped(ILogger logger, string grant, string problem);
}
