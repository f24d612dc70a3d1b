using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using TokenFunction.Grants;

namespace TokenFunction.Storage;

/// <summary>
/// Refresh token rows in their grant's partition. A rotation is one entity-group transaction: Merge the grant's root
/// row (If-Match its ETag, so a revocation that lands first fails the rotation), Merge the old token's row (If-Match,
/// setting RetiredAt and the sealed successor) and Add the successor's row. Exactly one concurrent rotation wins; a
/// failure is judged by <see cref="OptimisticConcurrency"/>.
/// </summary>
public sealed partial class RefreshTokenStore(TokenTables tables, TimeProvider time, ILogger<RefreshTokenStore> logger) : IRefreshRotationStore
{
    private const int MaxAttempts = 5;

    /// <summary>The grant's root row and the token's row, read in parallel (one round trip of latency).</summary>
    public async Task<(AuthorizationGrant? Grant, RefreshTokenRecord? Token)> FindAsync(string grantId, string tokenKey, CancellationToken cancellationToken)
    {
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        var root = AuthorizationCodeStore.ReadRootAsync(table, grantId, cancellationToken);
        var token = TableRows.GetIfExistsAsync<RefreshTokenEntity>(table, grantId, tokenKey, cancellationToken);
        await Task.WhenAll(root, token).ConfigureAwait(false);
        return (await root.ConfigureAwait(false), ToRecord(await token.ConfigureAwait(false)));
    }

    public async Task<RefreshTokenRecord?> FindTokenAsync(string grantId, string tokenKey, CancellationToken cancellationToken)
    {
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        return ToRecord(await TableRows.GetIfExistsAsync<RefreshTokenEntity>(table, grantId, tokenKey, cancellationToken).ConfigureAwait(false));
    }

    public async Task<RotateResult> RotateAsync(
        AuthorizationGrant grant, RefreshTokenRecord old, RefreshTokenRecord successor, string sealedSuccessor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(successor);
        var etags = (Root: TableVersions.ToETag(grant.Version, "Rotation"), Old: TableVersions.ToETag(old.Version, "Rotation"));
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        var retire = new TableEntity(old.GrantId, old.Key)
        {
            [nameof(RefreshTokenEntity.RetiredAt)] = time.GetUtcNow(),
            [nameof(RefreshTokenEntity.SuccessorHash)] = successor.Key,
            [nameof(RefreshTokenEntity.SealedSuccessor)] = sealedSuccessor,
        };
        var touchRoot = new TableEntity(grant.GrantId, AuthorizationCodeEntity.Row)
        {
            [nameof(AuthorizationCodeEntity.RefreshExpiresAt)] = successor.ExpiresAt,
        };
        var added = ToEntity(successor);
        return await OptimisticConcurrency.WriteAsync(
            etags,
            async (ifMatch, token) =>
            {
                TableTransactionAction[] actions =
                [
                    new(TableTransactionActionType.UpdateMerge, touchRoot, ifMatch.Root),
                    new(TableTransactionActionType.UpdateMerge, retire, ifMatch.Old),
                    new(TableTransactionActionType.Add, added),
                ];
                await table.SubmitTransactionAsync(actions, token).ConfigureAwait(false);
                return new RotateResult(RotateOutcome.Rotated);
            },
            isContention: _ => true,
            reread: token => FindAsync(old.GrantId, old.Key, token),
            judge: (current, failure) =>
            {
                var (currentRoot, currentToken) = current;
                if (currentToken?.SuccessorHash == successor.Key)
                {
                    LogRetriedRotationWon(logger, GrantKeys.ForLog(old.GrantId));
                    return Verdict<(ETag Root, ETag Old), RotateResult>.Settled(new RotateResult(RotateOutcome.Rotated));
                }

                if (currentRoot is null || currentToken is null)
                {
                    return Verdict<(ETag Root, ETag Old), RotateResult>.Settled(new RotateResult(RotateOutcome.Gone));
                }

                if (currentRoot.IsRevoked)
                {
                    return Verdict<(ETag Root, ETag Old), RotateResult>.Settled(new RotateResult(RotateOutcome.Revoked, currentRoot, currentToken));
                }

                if (currentToken.IsRetired)
                {
                    return Verdict<(ETag Root, ETag Old), RotateResult>.Settled(new RotateResult(RotateOutcome.RetiredByAnother, currentRoot, currentToken));
                }

                LogRotationRetried(logger, GrantKeys.ForLog(old.GrantId), failure.Status);
                return Verdict<(ETag Root, ETag Old), RotateResult>.WriteAgain(
                    (TableVersions.ToETag(currentRoot.Version, "Rotation"), TableVersions.ToETag(currentToken.Version, "Rotation")));
            },
            MaxAttempts,
            cancellationToken).ConfigureAwait(false);
    }

    internal static RefreshTokenEntity ToEntity(RefreshTokenRecord token) => new()
    {
        PartitionKey = token.GrantId,
        RowKey = token.Key,
        IssuedAt = token.IssuedAt,
        ExpiresAt = token.ExpiresAt,
        RetiredAt = token.RetiredAt,
        SuccessorHash = token.SuccessorHash,
        SealedSuccessor = token.SealedSuccessor,
        DpopJkt = token.DpopThumbprint,
    };

    private static RefreshTokenRecord? ToRecord(RefreshTokenEntity? row) => row is null ? null : new RefreshTokenRecord
    {
        GrantId = row.PartitionKey,
        Key = row.RowKey,
        IssuedAt = row.IssuedAt,
        ExpiresAt = row.ExpiresAt,
        RetiredAt = row.RetiredAt,
        SuccessorHash = row.SuccessorHash,
        SealedSuccessor = row.SealedSuccessor,
        DpopThumbprint = row.DpopJkt,
        Version = TableVersions.ToToken(row.ETag),
    };

    private ValueTask<TableClient> Grants(CancellationToken cancellationToken) => tables.GetAsync(TableNames.Grants, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "A retried rotation in grant {Grant} met its own earlier success.")]
    private static partial void LogRetriedRotationWon(ILogger logger, string grant);

    [LoggerMessage(Level = LogLevel.Information, Message = "The rotation transaction of grant {Grant} failed ({Status}) with the token still live; retrying.")]
    private static partial void LogRotationRetried(ILogger logger, string grant, int status);
}
