using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using TokenFunction.Grants;

namespace TokenFunction.Storage;

/// <summary>
/// Refresh tokens in their grant's partition: the first one in the root row (<see cref="RootHeldRefreshToken"/>; a row
/// of its own on grants redeemed before), each successor in a row of its own. A rotation is one entity-group
/// transaction: Merge the grant's root row (If-Match its ETag, so a revocation that lands first fails the rotation),
/// retire the old token (If-Match: a Merge of its row, or of the root's columns when the root holds it) and Add the
/// successor's row. Exactly one concurrent rotation wins; a failure is judged by <see cref="OptimisticConcurrency"/>.
/// </summary>
public sealed partial class RefreshTokenStore(TokenTables tables, TimeProvider time, ILogger<RefreshTokenStore> logger) : IRefreshRotationStore
{
    private const int MaxAttempts = 5;

    /// <summary>
    /// The grant's root row and the token's row, read in parallel (one round trip of latency); the token is the root's
    /// when the root holds it.
    /// </summary>
    public async Task<(AuthorizationGrant? Grant, RefreshTokenRecord? Token)> FindAsync(string grantId, string tokenKey, CancellationToken cancellationToken)
    {
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        var root = TableRows.GetIfExistsAsync<TableEntity>(table, grantId, AuthorizationCodeEntity.Row, cancellationToken);
        var token = TableRows.GetIfExistsAsync<RefreshTokenEntity>(table, grantId, tokenKey, cancellationToken);
        await Task.WhenAll(root, token).ConfigureAwait(false);
        if (await root.ConfigureAwait(false) is not { } rootRow)
        {
            return (null, ToRecord(await token.ConfigureAwait(false)));
        }

        var grant = AuthorizationCodeRows.Read(rootRow);
        return (grant, ToRecord(await token.ConfigureAwait(false)) ?? RootHeldRefreshToken.Read(rootRow, tokenKey));
    }

    public async Task<RefreshTokenRecord?> FindTokenAsync(string grantId, string tokenKey, CancellationToken cancellationToken) =>
        (await FindAsync(grantId, tokenKey, cancellationToken).ConfigureAwait(false)).Token;

    public async Task<RotateResult> RotateAsync(
        AuthorizationGrant grant, RefreshTokenRecord old, RefreshTokenRecord successor, string sealedSuccessor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(successor);
        var etags = (Root: TableVersions.ToETag(grant.Version, "Rotation"), Old: OldTokenETag(old));
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        var retiredAt = time.GetUtcNow();
        var touchRoot = new TableEntity(grant.GrantId, AuthorizationCodeEntity.Row)
        {
            [nameof(AuthorizationCodeEntity.RefreshExpiresAt)] = successor.ExpiresAt,
        };
        TableEntity? retire = null;
        if (RootHeldRefreshToken.IsRootHeld(old))
        {
            // One entity, one action: the root's Merge retires the token it holds.
            RootHeldRefreshToken.Retire(touchRoot, retiredAt, successor.Key, sealedSuccessor);
        }
        else
        {
            retire = new TableEntity(old.GrantId, old.Key)
            {
                [nameof(RefreshTokenEntity.RetiredAt)] = retiredAt,
                [nameof(RefreshTokenEntity.SuccessorHash)] = successor.Key,
                [nameof(RefreshTokenEntity.SealedSuccessor)] = sealedSuccessor,
            };
        }

        var added = ToEntity(successor);
        return await OptimisticConcurrency.WriteAsync(
            etags,
            async (ifMatch, token) =>
            {
                List<TableTransactionAction> actions = [new(TableTransactionActionType.UpdateMerge, touchRoot, ifMatch.Root)];
                if (retire is not null)
                {
                    actions.Add(new(TableTransactionActionType.UpdateMerge, retire, ifMatch.Old));
                }

                actions.Add(new(TableTransactionActionType.Add, added));
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
                    (TableVersions.ToETag(currentRoot.Version, "Rotation"), OldTokenETag(currentToken)));
            },
            MaxAttempts,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The old token's ETag; a root-held token's is the root's, which the root's own Merge already carries.</summary>
    private static ETag OldTokenETag(RefreshTokenRecord old) =>
        RootHeldRefreshToken.IsRootHeld(old) ? default : TableVersions.ToETag(old.Version, "Rotation");

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
