using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace TokenFunction.Storage;

/// <summary>What a rotation attempt ended as.</summary>
public enum RotateOutcome
{
    /// <summary>This request retired the old token and inserted the successor.</summary>
    Rotated,

    /// <summary>Another request retired the old token first; <see cref="RotateResult.Current"/> holds its row.</summary>
    RetiredByAnother,

    /// <summary>The grant was revoked meanwhile.</summary>
    Revoked,

    /// <summary>The grant or the token row is gone (purged).</summary>
    Gone,
}

public sealed record RotateResult(RotateOutcome Outcome, AuthorizationCodeEntity? Root = null, RefreshTokenEntity? Current = null);

/// <summary>
/// Refresh token rows in their grant's partition. A rotation is one entity-group transaction: Merge the grant's root
/// row (If-Match its ETag, so a revocation that lands first fails the rotation), Merge the old token's row (If-Match,
/// setting RetiredAt and the sealed successor) and Add the successor's row. Exactly one concurrent rotation wins.
/// </summary>
public sealed partial class RefreshTokenStore(TokenTables tables, TimeProvider time, ILogger<RefreshTokenStore> logger)
{
    private const int MaxAttempts = 5;

    /// <summary>The grant's root row and the token's row, read in parallel (one round trip of latency).</summary>
    /// <exception cref="MalformedRowException">Either row breaks the documented layout.</exception>
    public async Task<(AuthorizationCodeEntity? Root, RefreshTokenEntity? Token)> FindAsync(string grantId, string rowKey, CancellationToken cancellationToken)
    {
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        var root = AuthorizationCodeStore.ReadRootAsync(table, grantId, cancellationToken);
        var token = TableRows.GetIfExistsAsync<RefreshTokenEntity>(table, grantId, rowKey, cancellationToken);
        await Task.WhenAll(root, token).ConfigureAwait(false);
        return (await root.ConfigureAwait(false), await token.ConfigureAwait(false));
    }

    public async Task<RefreshTokenEntity?> FindTokenAsync(string grantId, string rowKey, CancellationToken cancellationToken)
    {
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        return await TableRows.GetIfExistsAsync<RefreshTokenEntity>(table, grantId, rowKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Retires <paramref name="old"/> and inserts <paramref name="successor"/>, atomically. Azure.Core may retry a batch
    /// whose response was lost and the retry then fails although the first attempt won, and Azurite fails concurrent
    /// batches outright; so every failure is judged by re-reading: our successor on the old row means we won.
    /// </summary>
    public async Task<RotateResult> RotateAsync(
        AuthorizationCodeEntity root, RefreshTokenEntity old, string presentedToken, RefreshTokenEntity successor, string successorToken, CancellationToken cancellationToken)
    {
        if (root.ETag == default || old.ETag == default)
        {
            throw new ArgumentException("Rotation needs the rows' ETags: without them the updates would be upserts.");
        }

        var table = await Grants(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var sealedSuccessor = RefreshTokens.Seal(presentedToken, successorToken, AssociatedData(old));
        var retire = new TableEntity(old.PartitionKey, old.RowKey)
        {
            [nameof(RefreshTokenEntity.RetiredAt)] = now,
            [nameof(RefreshTokenEntity.SuccessorHash)] = successor.RowKey,
            [nameof(RefreshTokenEntity.SealedSuccessor)] = sealedSuccessor,
        };
        var touchRoot = new TableEntity(root.PartitionKey, root.RowKey)
        {
            [nameof(AuthorizationCodeEntity.RefreshExpiresAt)] = successor.ExpiresAt,
        };
        var rootETag = root.ETag;
        var oldETag = old.ETag;
        for (var attempt = 1; ; attempt++)
        {
            TableTransactionAction[] actions =
            [
                new(TableTransactionActionType.UpdateMerge, touchRoot, rootETag),
                new(TableTransactionActionType.UpdateMerge, retire, oldETag),
                new(TableTransactionActionType.Add, successor),
            ];
            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                return new RotateResult(RotateOutcome.Rotated);
            }
            catch (RequestFailedException e)
            {
                var (currentRoot, current) = await FindAsync(old.PartitionKey, old.RowKey, cancellationToken).ConfigureAwait(false);
                if (current?.SuccessorHash == successor.RowKey)
                {
                    LogRetriedRotationWon(logger, GrantKeys.ForLog(old.PartitionKey));
                    return new RotateResult(RotateOutcome.Rotated);
                }

                if (currentRoot is null || current is null)
                {
                    return new RotateResult(RotateOutcome.Gone);
                }

                if (currentRoot.RevokedAt is not null)
                {
                    return new RotateResult(RotateOutcome.Revoked, currentRoot, current);
                }

                if (current.IsRetired)
                {
                    return new RotateResult(RotateOutcome.RetiredByAnother, currentRoot, current);
                }

                if (attempt >= MaxAttempts)
                {
                    throw;
                }

                LogRotationRetried(logger, GrantKeys.ForLog(old.PartitionKey), e.Status);
                rootETag = currentRoot.ETag;
                oldETag = current.ETag;
            }
        }
    }

    /// <summary>The successor sealed on a retired row, for a holder of the retired token; null if it cannot be opened.</summary>
    public static string? OpenSuccessor(RefreshTokenEntity retired, string presentedToken) =>
        retired.SealedSuccessor is { } sealedValue ? RefreshTokens.Open(presentedToken, sealedValue, AssociatedData(retired)) : null;

    private static string AssociatedData(RefreshTokenEntity row) => row.PartitionKey + "/" + row.RowKey;

    private ValueTask<TableClient> Grants(CancellationToken cancellationToken) => tables.GetAsync(TableNames.Grants, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "A retried rotation in grant {Grant} met its own earlier success.")]
    private static partial void LogRetriedRotationWon(ILogger logger, string grant);

    [LoggerMessage(Level = LogLevel.Information, Message = "The rotation transaction of grant {Grant} failed ({Status}) with the token still live; retrying.")]
    private static partial void LogRotationRetried(ILogger logger, string grant, int status);
}
