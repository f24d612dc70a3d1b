using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace TokenFunction.Storage;

/// <summary>What a purge did.</summary>
public sealed record PurgeReport(int IndexRowsVisited, int GrantsDeleted, int RowsDeleted)
{
    /// <summary>Rows of expired client assertion ids deleted (see <see cref="ClientAssertionReplayStore"/>).</summary>
    public int AssertionIdsDeleted { get; init; }
}

/// <summary>
/// Housekeeping Table Storage cannot do itself (it has no TTL), and the operator's "revoke everything of X".
/// The purge reads only due rows of the expiry index (PartitionKey below the current UTC hour), never the grants
/// table as a whole; every delete is conditional on the ETag just read, and 404 or 412 is an expected outcome, so
/// two instances may purge at once and a run may stop anywhere and be repeated.
/// </summary>
public sealed partial class GrantMaintenance(
    TokenTables tables, AuthorizationCodeStore codes, ClientAssertionReplayStore assertionIds, TimeProvider time, ILogger<GrantMaintenance> logger)
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

        int grants = 0, rows = 0;
        foreach (var index in due)
        {
            var (finished, deletedRows) = await PurgeGrantAsync(index.RowKey, now, cancellationToken).ConfigureAwait(false);
            rows += deletedRows;
            grants += deletedRows > 0 ? 1 : 0;
            if (finished)
            {
                await DeleteIfUnchangedAsync(expiry, index, cancellationToken).ConfigureAwait(false);
            }
        }

        LogPurged(logger, due.Count, grants, rows);
        return new PurgeReport(due.Count, grants, rows);
    }

    /// <summary>
    /// Runs batches until the due backlog is empty or <paramref name="maxBatches"/> ran, then deletes the ids of
    /// expired client assertions (as many rows as the batches allow).
    /// </summary>
    public async Task<PurgeReport> PurgeAsync(int batchSize, int maxBatches, CancellationToken cancellationToken)
    {
        var total = new PurgeReport(0, 0, 0);
        for (var batch = 0; batch < maxBatches; batch++)
        {
            var report = await PurgeBatchAsync(batchSize, cancellationToken).ConfigureAwait(false);
            total = new PurgeReport(total.IndexRowsVisited + report.IndexRowsVisited, total.GrantsDeleted + report.GrantsDeleted, total.RowsDeleted + report.RowsDeleted);
            if (report.IndexRowsVisited < batchSize)
            {
                break;
            }
        }

        var assertions = await assertionIds.PurgeExpiredAsync((int)Math.Min((long)batchSize * maxBatches, int.MaxValue), cancellationToken).ConfigureAwait(false);
        return total with { AssertionIdsDeleted = assertions };
    }

    /// <summary>Revokes every grant indexed under the subject (or client); returns how many it revoked now.</summary>
    public async Task<int> RevokeAllAsync(string indexPartition, CancellationToken cancellationToken)
    {
        var index = await tables.GetAsync(TableNames.GrantIndex, cancellationToken).ConfigureAwait(false);
        var revoked = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {indexPartition}");
        await foreach (var row in index.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var root = await codes.FindByGrantAsync(row.RowKey, cancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                await DeleteIfUnchangedAsync(index, row, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (root.RevokedAt is null)
            {
                await codes.RevokeGrantAsync(root, cancellationToken).ConfigureAwait(false);
                revoked++;
            }
        }

        return revoked;
    }

    /// <summary>
    /// Deletes the grant's partition when the grant is dead: revoked, a code never redeemed (or redeemed without refresh
    /// tokens) past its expiry, or a grant past its absolute refresh lifetime. Retired refresh tokens go with their grant, not
    /// before: they are what detects reuse. Finished = the index row may go.
    /// </summary>
    private async Task<(bool Finished, int DeletedRows)> PurgeGrantAsync(string grantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var grants = await tables.GetAsync(TableNames.Grants, cancellationToken).ConfigureAwait(false);
        var root = await codes.FindByGrantAsync(grantId, cancellationToken).ConfigureAwait(false);
        if (root is not null && !IsDead(root, now))
        {
            // An earlier index row (the code's expiry) of a grant that got refresh tokens and its own, later index row.
            return (root.GrantExpiresAt is not null, 0);
        }

        var deleted = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {grantId}");
        await foreach (var row in grants.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey != AuthorizationCodeEntity.Row && await DeleteIfUnchangedAsync(grants, row, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        if (root is null)
        {
            return (true, deleted);
        }

        // The root last, with the ETag read above: if a late replay revoked it meanwhile, it stays for the next run.
        try
        {
            await grants.DeleteEntityAsync(root.PartitionKey, root.RowKey, root.ETag, cancellationToken).ConfigureAwait(false);
            deleted++;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return (false, deleted);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }

        var index = await tables.GetAsync(TableNames.GrantIndex, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(
            DeleteAsync(index, GrantIndexKeys.BySubject(root.Subject), grantId, cancellationToken),
            DeleteAsync(index, GrantIndexKeys.ByClient(root.ClientId), grantId, cancellationToken)).ConfigureAwait(false);
        return (true, deleted);
    }

    /// <summary>Revoked, or past the end of the last thing it could issue (its refresh tokens, else its code).</summary>
    public static bool IsDead(AuthorizationCodeEntity root, DateTimeOffset now) =>
        root.RevokedAt is not null || (root.GrantExpiresAt is { } grantExpiresAt ? now >= grantExpiresAt : now >= root.ExpiresAt);

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Purge: {IndexRows} due index rows, {Grants} grants deleted ({Rows} rows).")]
    private static partial void LogPurged(ILogger logger, int indexRows, int grants, int rows);
}
