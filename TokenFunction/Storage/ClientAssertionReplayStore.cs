using Azure;
using Azure.Data.Tables;
using TokenFunction.Clients.Assertions;
using TokenFunction.Protocol;

namespace TokenFunction.Storage;

/// <summary>
/// Makes each client assertion id (<c>jti</c>) single-use while its assertion could still be accepted
/// (RFC 7523 section 3, item 7). The insert is the decision: of two requests with one jti, the storage service
/// lets exactly one add the row. A row left by an expired assertion may be taken over, conditionally on its ETag.
/// Each write carries a random use id, so that a write Azure.Core retried after a lost response is recognised as
/// this request's own and not refused as a replay (a 409 or 412 alone cannot tell the two apart).
/// </summary>
public sealed class ClientAssertionReplayStore(TokenTables tables, TimeProvider time) : IAssertionReplayStore
{
    /// <summary>Records the jti as used until <paramref name="acceptableUntil"/>.</summary>
    /// <returns>False when the jti was already used by an assertion that is still acceptable.</returns>
    public async Task<bool> TryUseAsync(string clientId, string jwtId, DateTimeOffset acceptableUntil, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableNames.ClientAssertions, cancellationToken).ConfigureAwait(false);
        var entity = new ClientAssertionEntity
        {
            PartitionKey = ClientIdKeys.Of(clientId),
            RowKey = RowKeyOf(jwtId),
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

    /// <summary>Deletes up to <paramref name="maxRows"/> rows whose assertions have expired; returns how many it deleted.</summary>
    public async Task<int> PurgeExpiredAsync(int maxRows, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableNames.ClientAssertions, cancellationToken).ConfigureAwait(false);
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

    public static string RowKeyOf(string jwtId) => Base64UrlSha256.Of(jwtId);

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
