using Azure;
using Azure.Data.Tables;

namespace TokenFunction.Storage;

/// <summary>
/// A table of ids that are single-use while what carried them could still be accepted: client assertion ids (RFC 7523
/// section 3, item 7) and DPoP proof ids (RFC 9449 section 11.1). The insert is the decision: of two requests with one
/// id, the storage service lets exactly one add the row. A row whose use has expired may be taken over, conditionally
/// on its ETag.
/// Each write carries a random use id, so that a write Azure.Core retried after a lost response is recognised as
/// this request's own and not refused as a replay (a 409 or 412 alone cannot tell the two apart).
/// </summary>
internal sealed class SingleUseIdTable(TokenTables tables, TimeProvider time, string tableName)
{
    /// <summary>Records the id (a row's keys) as used until <paramref name="acceptableUntil"/>.</summary>
    /// <returns>False when the id was already used by something that is still acceptable.</returns>
    public async Task<bool> TryUseAsync(string partitionKey, string rowKey, DateTimeOffset acceptableUntil, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tableName, cancellationToken).ConfigureAwait(false);
        var entity = new ClientAssertionEntity
        {
            PartitionKey = partitionKey,
            RowKey = rowKey,
            ExpiresAt = acceptableUntil,
            UseId = Guid.NewGuid().ToString("N"),
        };
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Decided below: this request's own add retried after a lost response, a use by another request, or the
            // row of an assertion that has expired and not yet been purged.
        }

        var existing = await table.GetEntityIfExistsAsync<ClientAssertionEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!existing.HasValue || existing.Value is not { } row)
        {
            // Purged between the add and the read: the jti's previous use has expired, so this use is new; one retry.
            return await TryAddAsync(table, entity, cancellationToken).ConfigureAwait(false);
        }

        if (string.Equals(row.UseId, entity.UseId, StringComparison.Ordinal))
        {
            return true;
        }

        if (row.ExpiresAt > time.GetUtcNow())
        {
            return false;
        }

        try
        {
            await table.UpdateEntityAsync(entity, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            // Another request took the expired row first (412; unless it is this request's own retried write), or the
            // purge removed it (404: refuse rather than race on).
            return e.Status == 412 && await IsOwnedByAsync(table, entity, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes up to <paramref name="maxRows"/> rows that have expired; returns how many it deleted.</summary>
    public async Task<int> PurgeExpiredAsync(int maxRows, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tableName, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"ExpiresAt lt {time.GetUtcNow()}");
        var deleted = 0;
        var seen = 0;
        // Keys only: the filter runs in storage, and no other column can make the page unreadable.
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(maxRows, 1000), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            try
            {
                // Conditional: a row just taken over by a new use of the jti has a new ETag and stays.
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken).ConfigureAwait(false);
                deleted++;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
            }

            if (++seen >= maxRows)
            {
                break;
            }
        }

        return deleted;
    }

    private static async Task<bool> TryAddAsync(TableClient table, ClientAssertionEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return await IsOwnedByAsync(table, entity, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<bool> IsOwnedByAsync(TableClient table, ClientAssertionEntity entity, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<ClientAssertionEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } current && string.Equals(current.UseId, entity.UseId, StringComparison.Ordinal);
    }
}
