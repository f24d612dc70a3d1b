using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using TokenFunction.Grants;

namespace TokenFunction.Storage;

/// <summary>
/// Refresh tokens in their grant's partition. A grant's root row holds them (<see cref="RootRefreshTokens"/>): finding a
/// token is one read of the root, and a rotation one Merge of it, If-Match its ETag (so a revocation or another rotation
/// that lands first fails it). Grants redeemed before the root held their tokens keep them in rows of their own; there a
/// rotation is one entity-group transaction: Merge the root (If-Match), Merge the old token's row (If-Match, setting
/// RetiredAt and the sealed successor) and Add the successor's row. Exactly one concurrent rotation wins; a failure is
/// judged by <see cref="OptimisticConcurrency"/>. A rotation of the token this process's last write of the root left live
/// needs no read at all (<see cref="FindForRotationAsync"/>, <see cref="WrittenRoots"/>).
/// </summary>
public sealed partial class RefreshTokenStore(TokenTables tables, TimeProvider time, ILogger<RefreshTokenStore> logger) : IRefreshRotationStore
{
    private const int MaxAttempts = 5;

    /// <summary>Retired-key columns a root takes before retired tokens go to rows (tests lower it).</summary>
    internal int MaxRetiredColumns { get; init; } = RootRefreshTokens.MaxRetiredColumns;

    /// <summary>
    /// The grant's root row (its documented columns and the one retired-key column of this token: its cost does not grow
    /// with the grant's history), and the token as the root holds it; only when the root cannot hold it (a grant redeemed
    /// before, or a retired token past the root's retired columns) is the token's own row read as well.
    /// </summary>
    public async Task<(AuthorizationGrant? Grant, RefreshTokenRecord? Token)> FindAsync(string grantId, string tokenKey, CancellationToken cancellationToken)
    {
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        var columns = RootRefreshTokens.ColumnsToFind(tokenKey);
        if (await TableRows.GetIfExistsAsync<TableEntity>(table, grantId, AuthorizationCodeEntity.Row, cancellationToken, columns).ConfigureAwait(false) is not { } root)
        {
            return (null, null);
        }

        var grant = AuthorizationCodeRows.Read(root);
        var token = RootRefreshTokens.Find(root, tokenKey, MaxRetiredColumns, out var mayBeInARow);
        if (token is null && mayBeInARow)
        {
            token = ToRecord(await TableRows.GetIfExistsAsync<RefreshTokenEntity>(table, grantId, tokenKey, cancellationToken).ConfigureAwait(false));
        }

        return (grant, token);
    }

    /// <summary>
    /// As <see cref="FindAsync"/>, but answered without a read when this process's last write of the grant left this
    /// token live (<see cref="WrittenRoots"/>): the rotation is conditional on that write's ETag.
    /// </summary>
    public Task<(AuthorizationGrant? Grant, RefreshTokenRecord? Token)> FindForRotationAsync(string grantId, string tokenKey, CancellationToken cancellationToken) =>
        tables.WrittenRoots.Find(grantId, tokenKey) is var (grant, live)
            ? Task.FromResult<(AuthorizationGrant?, RefreshTokenRecord?)>((grant, live))
            : FindAsync(grantId, tokenKey, cancellationToken);

    public async Task<RefreshTokenRecord?> FindTokenAsync(string grantId, string tokenKey, CancellationToken cancellationToken) =>
        (await FindAsync(grantId, tokenKey, cancellationToken).ConfigureAwait(false)).Token;

    public async Task<RotateResult> RotateAsync(
        AuthorizationGrant grant, RefreshTokenRecord old, RefreshTokenRecord successor, string sealedSuccessor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(successor);
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        var retiredAt = time.GetUtcNow();
        var asRead = TableVersions.ToETag(grant.Version, "Rotation");
        return await OptimisticConcurrency.WriteAsync(
            (Root: asRead, Old: old),
            async (state, token) =>
            {
                var written = await WriteRotationAsync(table, state.Root, state.Old, successor, sealedSuccessor, retiredAt, MaxRetiredColumns, token).ConfigureAwait(false);

                // Recorded only for a write against the grant as the caller judged it, and one Merge of the root whose
                // new ETag is known; anything else is read next time.
                if (written is { } etag && state.Root == asRead)
                {
                    tables.WrittenRoots.Wrote(
                        grant with { RefreshExpiresAt = successor.ExpiresAt, Version = TableVersions.ToToken(etag) },
                        successor with { Version = RootRefreshTokens.Version(RootRefreshTokens.RetiredCount(state.Old) + 1, etag) });
                }

                return new RotateResult(RotateOutcome.Rotated);
            },
            isContention: _ => true,
            reread: token =>
            {
                tables.WrittenRoots.Forget(old.GrantId);
                return FindAsync(old.GrantId, old.Key, token);
            },
            judge: (current, failure) =>
            {
                var (currentRoot, currentToken) = current;
                if (currentToken?.SuccessorHash == successor.Key)
                {
                    LogRetriedRotationWon(logger, GrantKeys.ForLog(old.GrantId));
                    return Verdict<(ETag Root, RefreshTokenRecord Old), RotateResult>.Settled(new RotateResult(RotateOutcome.Rotated));
                }

                if (currentRoot is null || currentToken is null)
                {
                    return Verdict<(ETag Root, RefreshTokenRecord Old), RotateResult>.Settled(new RotateResult(RotateOutcome.Gone));
                }

                if (currentRoot.IsRevoked)
                {
                    return Verdict<(ETag Root, RefreshTokenRecord Old), RotateResult>.Settled(new RotateResult(RotateOutcome.Revoked, currentRoot, currentToken));
                }

                if (currentToken.IsRetired)
                {
                    return Verdict<(ETag Root, RefreshTokenRecord Old), RotateResult>.Settled(new RotateResult(RotateOutcome.RetiredByAnother, currentRoot, currentToken));
                }

                LogRotationRetried(logger, GrantKeys.ForLog(old.GrantId), failure.Status);
                return Verdict<(ETag Root, RefreshTokenRecord Old), RotateResult>.WriteAgain((TableVersions.ToETag(currentRoot.Version, "Rotation"), currentToken));
            },
            MaxAttempts,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rotation's write; the root's new ETag when it was one Merge of the root, else null.</summary>
    private static async Task<ETag?> WriteRotationAsync(
        TableClient table, ETag root, RefreshTokenRecord old, RefreshTokenRecord successor, string sealedSuccessor, DateTimeOffset retiredAt,
        int maxRetiredColumns, CancellationToken cancellationToken)
    {
        var rootUpdate = new TableEntity(old.GrantId, AuthorizationCodeEntity.Row);
        if (RootRefreshTokens.IsRootHeld(old))
        {
            var full = RootRefreshTokens.RetiredCount(old) >= maxRetiredColumns;
            RootRefreshTokens.Rotate(rootUpdate, old, successor, sealedSuccessor, retiredAt, retiredColumn: !full);
            if (!full)
            {
                var merged = await table.UpdateEntityAsync(rootUpdate, root, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                return merged.Headers.ETag;
            }

            // No room for another retired column: the retired token gets a row of its own, with the Merge or not at all.
            var retiredRow = ToEntity(old with { RetiredAt = retiredAt, SuccessorHash = successor.Key, SealedSuccessor = sealedSuccessor });
            await table.SubmitTransactionAsync(
                [
                    new(TableTransactionActionType.UpdateMerge, rootUpdate, root),
                    new(TableTransactionActionType.Add, retiredRow),
                ],
                cancellationToken).ConfigureAwait(false);
            return null;
        }

        // A grant whose tokens have rows (redeemed before the root held them). Every UpdateMerge carries its ETag: without
        // one a transaction's update sends no If-Match and becomes an upsert.
        rootUpdate[nameof(AuthorizationCodeEntity.RefreshExpiresAt)] = successor.ExpiresAt;
        var retire = new TableEntity(old.GrantId, old.Key)
        {
            [nameof(RefreshTokenEntity.RetiredAt)] = retiredAt,
            [nameof(RefreshTokenEntity.SuccessorHash)] = successor.Key,
            [nameof(RefreshTokenEntity.SealedSuccessor)] = sealedSuccessor,
        };
        await table.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.UpdateMerge, rootUpdate, root),
                new(TableTransactionActionType.UpdateMerge, retire, TableVersions.ToETag(old.Version, "Rotation")),
                new(TableTransactionActionType.Add, ToEntity(successor)),
            ],
            cancellationToken).ConfigureAwait(false);
        return null;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "The rotation of a refresh token of grant {Grant} failed ({Status}) with the token still live; retrying.")]
    private static partial void LogRotationRetried(ILogger logger, string grant, int status);
}
