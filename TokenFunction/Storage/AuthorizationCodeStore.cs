using System.Buffers.Text;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace TokenFunction.Storage;

/// <summary>
/// Issues and redeems single-use authorization codes. Redemption is a read followed by an If-Match update:
/// of any number of concurrent redeemers exactly one update succeeds, the rest get 412.
/// </summary>
public sealed partial class AuthorizationCodeStore(TokenTables tables, TimeProvider time, ILogger<AuthorizationCodeStore> logger)
{
    private const int CodeBytes = 32;
    private const int MaxRevokeAttempts = 5;
    private const int MaxTransactionAttempts = 5;

    /// <summary>Stores a new code and returns it; only its hash is kept.</summary>
    public async Task<string> IssueAsync(NewAuthorizationCode request, CancellationToken cancellationToken)
    {
        var code = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(CodeBytes));
        var now = time.GetUtcNow();
        var entity = new AuthorizationCodeEntity
        {
            PartitionKey = GrantKeys.ForCode(code),
            ClientId = request.ClientId,
            RedirectUri = request.RedirectUri,
            CodeChallenge = request.CodeChallenge,
            CodeChallengeMethod = request.CodeChallenge is null ? null : request.CodeChallengeMethod,
            Subject = request.Subject,
            Scope = request.Scope,
            Resources = ResourceLines.Join(request.Resources ?? []),
            IssuedAt = now,
            ExpiresAt = now + request.Lifetime,
        };
        // The index row first (a transaction cannot span tables): the purge tolerates index rows without a target.
        await Task.WhenAll(
            IndexExpiryAsync(entity.PartitionKey, entity.ExpiresAt, cancellationToken),
            IndexOwnersAsync(entity, cancellationToken)).ConfigureAwait(false);
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        return code;
    }

    /// <summary>
    /// Indexes a grant that is about to get refresh tokens: by the idle expiry of its first refresh token (for the purge,
    /// which moves the index row along as rotations slide that expiry), and by subject and by client (for
    /// <c>tokenctl grant revoke</c>). Written before the redemption transaction; idempotent upserts.
    /// </summary>
    public async Task IndexRefreshGrantAsync(AuthorizationCodeEntity grant, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            IndexExpiryAsync(grant.PartitionKey, dueAt, cancellationToken),
            IndexOwnersAsync(grant, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The grant under its subject and its client, for <c>tokenctl grant revoke</c>.</summary>
    private async Task IndexOwnersAsync(AuthorizationCodeEntity grant, CancellationToken cancellationToken)
    {
        var index = await tables.GetAsync(TableNames.GrantIndex, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        await Task.WhenAll(
            index.UpsertEntityAsync(new TableEntity(GrantIndexKeys.BySubject(grant.Subject), grant.PartitionKey) { ["IndexedAt"] = now }, TableUpdateMode.Replace, cancellationToken),
            index.UpsertEntityAsync(new TableEntity(GrantIndexKeys.ByClient(grant.ClientId), grant.PartitionKey) { ["IndexedAt"] = now }, TableUpdateMode.Replace, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Puts the grant in the expiry index under the hour it becomes purgeable; an idempotent upsert.</summary>
    public async Task IndexExpiryAsync(string grantId, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        var expiry = await tables.GetAsync(TableNames.Expiry, cancellationToken).ConfigureAwait(false);
        await expiry.UpsertEntityAsync(new TableEntity(GrantIndexKeys.HourBucket(dueAt), grantId), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AuthorizationCodeEntity?> FindAsync(string code, CancellationToken cancellationToken) =>
        await FindByGrantAsync(GrantKeys.ForCode(code), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Consumes the code and, when <paramref name="firstRefreshToken"/> is given, inserts the grant's first refresh
    /// token in the same entity-group transaction (both rows are in the grant's partition): the code is consumed
    /// exactly when the refresh token exists. Azure.Core may retry an update whose response was lost, and the retry then
    /// fails although this request won; so every failure is judged by re-reading the row: this request's redemption id
    /// on it means it won. When another request won, the re-read row is returned for the caller to judge (a client's
    /// retry of a lost answer, or a replay); nothing is revoked here.
    /// </summary>
    public async Task<RedeemResult> RedeemAsync(AuthorizationCodeEntity code, NewRefreshToken? firstRefreshToken, CancellationToken cancellationToken)
    {
        if (code.ETag == default)
        {
            throw new ArgumentException("Redeem needs the row's ETag: without it the update would not be conditional.", nameof(code));
        }

        if (firstRefreshToken is not null && firstRefreshToken.Row.PartitionKey != code.PartitionKey)
        {
            throw new ArgumentException("The refresh token row must be in the grant's partition.", nameof(firstRefreshToken));
        }

        var redemptionId = Guid.NewGuid().ToString("N");
        var update = new TableEntity(code.PartitionKey, code.RowKey)
        {
            [nameof(AuthorizationCodeEntity.RedemptionId)] = redemptionId,
            [nameof(AuthorizationCodeEntity.RedeemedAt)] = time.GetUtcNow(),
        };
        if (firstRefreshToken is not null)
        {
            update[nameof(AuthorizationCodeEntity.GrantExpiresAt)] = firstRefreshToken.GrantExpiresAt;
            update[nameof(AuthorizationCodeEntity.RefreshExpiresAt)] = firstRefreshToken.Row.ExpiresAt;
            update[nameof(AuthorizationCodeEntity.SealedRefreshToken)] = firstRefreshToken.SealedForRetry;
        }

        var table = await Grants(cancellationToken).ConfigureAwait(false);
        var etag = code.ETag;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (firstRefreshToken is null)
                {
                    await table.UpdateEntityAsync(update, etag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // UpdateMerge WITH the ETag: without one the action carries no If-Match and becomes an upsert.
                    TableTransactionAction[] actions =
                    [
                        new(TableTransactionActionType.UpdateMerge, update, etag),
                        new(TableTransactionActionType.Add, firstRefreshToken.Row),
                    ];
                    await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                }

                return new RedeemResult(RedeemOutcome.Redeemed);
            }
            catch (RequestFailedException e)
            {
                // Re-read before concluding anything: a retried write whose first attempt won sees 412 (or 409 on the
                // Add), and Azurite fails concurrent batches with "Transaction Overlap!" (500) although nobody won.
                var current = await FindByGrantAsync(code.PartitionKey, cancellationToken).ConfigureAwait(false);
                if (current?.RedemptionId == redemptionId)
                {
                    LogRetriedRedemptionWon(logger, GrantKeys.ForLog(code.PartitionKey));
                    return new RedeemResult(RedeemOutcome.Redeemed);
                }

                if (current is null || current.IsRedeemed || current.RevokedAt is not null)
                {
                    return new RedeemResult(RedeemOutcome.AlreadyRedeemed, current);
                }

                if (attempt >= MaxTransactionAttempts)
                {
                    throw;
                }

                LogTransactionRetried(logger, GrantKeys.ForLog(code.PartitionKey), e.Status);
                etag = current.ETag;
            }
        }
    }

    /// <summary>Marks the grant revoked; conditional on the row's ETag, re-read and retried when it moved.</summary>
    public async Task RevokeGrantAsync(AuthorizationCodeEntity code, CancellationToken cancellationToken)
    {
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        var current = code;
        for (var attempt = 0; attempt < MaxRevokeAttempts && current is { RevokedAt: null }; attempt++)
        {
            var update = new TableEntity(current.PartitionKey, current.RowKey)
            {
                [nameof(AuthorizationCodeEntity.RevokedAt)] = time.GetUtcNow(),
            };
            try
            {
                await table.UpdateEntityAsync(update, current.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                LogGrantRevoked(logger, GrantKeys.ForLog(current.PartitionKey));

                // A revoked grant is dead: let the purge remove it (and its refresh tokens) within the hour. Best effort:
                // the revocation stands either way, and the grant's other index rows still lead the purge to it later.
                try
                {
                    await IndexExpiryAsync(current.PartitionKey, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException e)
                {
                    LogRevocationNotIndexed(logger, GrantKeys.ForLog(current.PartitionKey), e.Status);
                }

                return;
            }
            catch (RequestFailedException e) when (e.Status is 412)
            {
                current = await FindByGrantAsync(current.PartitionKey, cancellationToken).ConfigureAwait(false);
            }
        }

        if (current is { RevokedAt: null })
        {
            throw new InvalidOperationException($"The grant {GrantKeys.ForLog(current.PartitionKey)} could not be revoked after {MaxRevokeAttempts} attempts: its row kept changing.");
        }
    }

    /// <summary>The grant's root row, read column by column.</summary>
    /// <exception cref="MalformedRowException">The row breaks the documented layout.</exception>
    public async Task<AuthorizationCodeEntity?> FindByGrantAsync(string grantId, CancellationToken cancellationToken)
    {
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        return await ReadRootAsync(table, grantId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The one way a grant's root row is read, shared with <see cref="RefreshTokenStore"/>.</summary>
    internal static async Task<AuthorizationCodeEntity?> ReadRootAsync(TableClient grants, string grantId, CancellationToken cancellationToken)
    {
        var row = await TableRows.GetIfExistsAsync<TableEntity>(grants, grantId, AuthorizationCodeEntity.Row, cancellationToken).ConfigureAwait(false);
        return row is null ? null : AuthorizationCodeRows.Read(row);
    }

    private ValueTask<TableClient> Grants(CancellationToken cancellationToken) => tables.GetAsync(TableNames.Grants, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grant {Grant} is revoked.")]
    private static partial void LogGrantRevoked(ILogger logger, string grant);

    [LoggerMessage(Level = LogLevel.Information, Message = "The redemption of grant {Grant} failed ({Status}) with the code still unredeemed; retrying.")]
    private static partial void LogTransactionRetried(ILogger logger, string grant, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grant {Grant} is revoked, but its purge index row could not be written ({Status}); it is purged at its expiry instead.")]
    private static partial void LogRevocationNotIndexed(ILogger logger, string grant, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "A retried redemption of grant {Grant} met its own earlier success.")]
    private static partial void LogRetriedRedemptionWon(ILogger logger, string grant);
}
