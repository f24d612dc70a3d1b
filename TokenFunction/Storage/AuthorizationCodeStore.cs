using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using TokenFunction.Grants;

namespace TokenFunction.Storage;

/// <summary>
/// Grants' root rows in <see cref="TableNames.Grants"/>: issues codes, redeems them (a read, then an If-Match Merge: of
/// any number of concurrent redeemers exactly one succeeds) and revokes grants. Both writes follow
/// <see cref="OptimisticConcurrency"/>.
/// </summary>
public sealed partial class AuthorizationCodeStore(TokenTables tables, TimeProvider time, ILogger<AuthorizationCodeStore> logger)
    : ICodeRedemptionStore, IGrantRevocationStore, IAuthorizationCodeIssuer
{
    private const int MaxRevokeAttempts = 5;
    private const int MaxRedeemAttempts = 5;

    public async Task<string> IssueAsync(NewAuthorizationCode request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var resources = ResourceLines.Join(request.Resources ?? []);
        var issued = request.ToGrant(time.GetUtcNow(), ResourceLines.Split(resources));
        var stem = IssuedCodes.Stem(IssuedCodes.NewSecret(), issued);
        var entity = new AuthorizationCodeEntity
        {
            PartitionKey = GrantKeys.ForCode(stem),
            ClientId = issued.ClientId,
            RedirectUri = issued.RedirectUri,
            CodeChallenge = issued.CodeChallenge,
            CodeChallengeMethod = issued.CodeChallengeMethod,
            Subject = issued.Subject,
            Scope = issued.Scope,
            Resources = resources,
            IssuedAt = issued.IssuedAt,
            ExpiresAt = issued.ExpiresAt,
            DpopJkt = issued.DpopJkt,
        };
        // The index rows first (a transaction cannot span tables): the purge tolerates index rows without a target. They
        // are the grant's for life: the code exchange writes none (the purge moves the expiry row when it comes due).
        await Task.WhenAll(
            IndexExpiryAsync(entity.PartitionKey, entity.ExpiresAt, cancellationToken),
            IndexOwnersAsync(entity.PartitionKey, entity.Subject, entity.ClientId, cancellationToken)).ConfigureAwait(false);
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        var added = await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);

        // The row's ETag goes into the code: the exchange consumes it by one Merge under that ETag, without a read.
        return IssuedCodes.Complete(stem, TableVersions.ToToken(added.Headers.ETag ?? default));
    }

    /// <summary>The grant under its subject and its client, for <c>tokenctl grant revoke</c>.</summary>
    private async Task IndexOwnersAsync(string grantId, string subject, string clientId, CancellationToken cancellationToken)
    {
        var index = await tables.GetAsync(TableNames.GrantIndex, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        await Task.WhenAll(
            index.UpsertEntityAsync(new TableEntity(GrantIndexKeys.BySubject(subject), grantId) { ["IndexedAt"] = now }, TableUpdateMode.Replace, cancellationToken),
            index.UpsertEntityAsync(new TableEntity(GrantIndexKeys.ByClient(clientId), grantId) { ["IndexedAt"] = now }, TableUpdateMode.Replace, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Puts the grant in the expiry index under the hour it becomes purgeable; an idempotent upsert.</summary>
    public async Task IndexExpiryAsync(string grantId, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        var expiry = await tables.GetAsync(TableNames.Expiry, cancellationToken).ConfigureAwait(false);
        await expiry.UpsertEntityAsync(new TableEntity(GrantIndexKeys.HourBucket(dueAt), grantId), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public Task<AuthorizationGrant?> FindByCodeAsync(string code, CancellationToken cancellationToken) =>
        FindByGrantAsync(GrantKeys.ForCode(code), cancellationToken);

    /// <summary>
    /// Consumes the code and, with <paramref name="firstRefreshToken"/>, writes the grant's first refresh token into the
    /// same row (<see cref="RootRefreshTokens"/>): one If-Match Merge, so the code is consumed exactly when the refresh
    /// token exists, without the cost of an entity-group transaction. A failure is judged by re-reading
    /// (<see cref="OptimisticConcurrency"/>): this request's redemption id on the row means it won; another's, a
    /// revocation or no row means it lost, and the row goes back to the caller.
    /// </summary>
    public Task<RedeemResult> RedeemAsync(AuthorizationGrant grant, FirstRefreshToken? firstRefreshToken, CancellationToken cancellationToken) =>
        RedeemAsync(grant, firstRefreshToken, writeAgainWhenUnredeemed: true, cancellationToken);

    /// <summary>
    /// The Merge of <see cref="RedeemAsync(AuthorizationGrant, FirstRefreshToken?, CancellationToken)"/> under the ETag
    /// the code carries, without a read: a failure is this request's own earlier success, or else the row is not as
    /// issued and the caller reads it.
    /// </summary>
    public async Task<bool> RedeemAsIssuedAsync(AuthorizationGrant issued, FirstRefreshToken? firstRefreshToken, CancellationToken cancellationToken) =>
        (await RedeemAsync(issued, firstRefreshToken, writeAgainWhenUnredeemed: false, cancellationToken).ConfigureAwait(false)).Outcome == RedeemOutcome.Redeemed;

    private async Task<RedeemResult> RedeemAsync(AuthorizationGrant grant, FirstRefreshToken? firstRefreshToken, bool writeAgainWhenUnredeemed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var etag = TableVersions.ToETag(grant.Version, "Redeem");
        if (firstRefreshToken is not null && firstRefreshToken.Token.GrantId != grant.GrantId)
        {
            throw new ArgumentException("The first refresh token must be the grant's.", nameof(firstRefreshToken));
        }

        var redemptionId = Guid.NewGuid().ToString("N");
        var redeemedAt = time.GetUtcNow();
        var update = new TableEntity(grant.GrantId, AuthorizationCodeEntity.Row)
        {
            [nameof(AuthorizationCodeEntity.RedemptionId)] = redemptionId,
            [nameof(AuthorizationCodeEntity.RedeemedAt)] = redeemedAt,
        };
        if (firstRefreshToken is not null)
        {
            update[nameof(AuthorizationCodeEntity.GrantExpiresAt)] = firstRefreshToken.GrantExpiresAt;
            update[nameof(AuthorizationCodeEntity.SealedRefreshToken)] = firstRefreshToken.SealedForRetry;
            RootRefreshTokens.Issue(update, firstRefreshToken.Token);
        }

        var table = await Grants(cancellationToken).ConfigureAwait(false);
        return await OptimisticConcurrency.WriteAsync(
            etag,
            async (ifMatch, token) =>
            {
                var merged = await table.UpdateEntityAsync(update, ifMatch, TableUpdateMode.Merge, token).ConfigureAwait(false);

                // The grant's first rotation can then be tried against this write, without a read (WrittenRoots); only
                // when the Merge was made against the grant as the caller judged it.
                if (firstRefreshToken is not null && ifMatch == etag && merged.Headers.ETag is { } written)
                {
                    tables.WrittenRoots.Wrote(
                        grant.Redeemed(redemptionId, redeemedAt, firstRefreshToken) with { Version = TableVersions.ToToken(written) },
                        firstRefreshToken.Token with { Version = RootRefreshTokens.Version(0, written) });
                }

                return new RedeemResult(RedeemOutcome.Redeemed);
            },
            isContention: _ => true,
            reread: token => FindByGrantAsync(grant.GrantId, token),
            judge: (current, failure) =>
            {
                if (current?.RedemptionId == redemptionId)
                {
                    LogRetriedRedemptionWon(logger, GrantKeys.ForLog(grant.GrantId));
                    return Verdict<ETag, RedeemResult>.Settled(new RedeemResult(RedeemOutcome.Redeemed));
                }

                // Unredeemed but changed: a caller that judged the grant as issued must judge it again as it now is.
                if (current is null || current.IsRedeemed || current.IsRevoked || !writeAgainWhenUnredeemed)
                {
                    return Verdict<ETag, RedeemResult>.Settled(new RedeemResult(RedeemOutcome.AlreadyRedeemed, current));
                }

                LogRedemptionRetried(logger, GrantKeys.ForLog(grant.GrantId), failure.Status);
                return Verdict<ETag, RedeemResult>.WriteAgain(TableVersions.ToETag(current.Version, "Redeem"));
            },
            MaxRedeemAttempts,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks the grant revoked; conditional on the row's ETag, re-read and retried when it moved.</summary>
    public async Task RevokeAsync(AuthorizationGrant grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        if (grant.IsRevoked)
        {
            return;
        }

        tables.WrittenRoots.Forget(grant.GrantId);
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        await OptimisticConcurrency.WriteAsync(
            grant,
            async (current, token) =>
            {
                var update = new TableEntity(current.GrantId, AuthorizationCodeEntity.Row)
                {
                    [nameof(AuthorizationCodeEntity.RevokedAt)] = time.GetUtcNow(),
                };
                await table.UpdateEntityAsync(update, TableVersions.ToETag(current.Version, "Revoke"), TableUpdateMode.Merge, token).ConfigureAwait(false);
                LogGrantRevoked(logger, GrantKeys.ForLog(current.GrantId));

                // A revoked grant is dead: let the purge remove it (and its refresh tokens) within the hour. Best effort:
                // the revocation stands either way, and the grant's other index rows still lead the purge to it later.
                try
                {
                    await IndexExpiryAsync(current.GrantId, time.GetUtcNow(), token).ConfigureAwait(false);
                }
                catch (RequestFailedException e)
                {
                    LogRevocationNotIndexed(logger, GrantKeys.ForLog(current.GrantId), e.Status);
                }

                return true;
            },
            isContention: e => e.Status is 412,
            reread: token => FindByGrantAsync(grant.GrantId, token),
            judge: (current, _) => current is null || current.IsRevoked
                ? Verdict<AuthorizationGrant, bool>.Settled(true)
                : Verdict<AuthorizationGrant, bool>.WriteAgain(current),
            MaxRevokeAttempts,
            cancellationToken,
            whenExhausted: _ => new InvalidOperationException(
                $"The grant {GrantKeys.ForLog(grant.GrantId)} could not be revoked after {MaxRevokeAttempts} attempts: its row kept changing.")).ConfigureAwait(false);
    }

    /// <summary>The grant's root row, read column by column.</summary>
    /// <exception cref="MalformedRowException">The row breaks the documented layout.</exception>
    public async Task<AuthorizationGrant?> FindByGrantAsync(string grantId, CancellationToken cancellationToken)
    {
        var table = await Grants(cancellationToken).ConfigureAwait(false);
        return await ReadRootAsync(table, grantId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The one way a grant's root row is read, shared with <see cref="RefreshTokenStore"/>.</summary>
    internal static async Task<AuthorizationGrant?> ReadRootAsync(TableClient grants, string grantId, CancellationToken cancellationToken)
    {
        var row = await TableRows.GetIfExistsAsync<TableEntity>(grants, grantId, AuthorizationCodeEntity.Row, cancellationToken).ConfigureAwait(false);
        return row is null ? null : AuthorizationCodeRows.Read(row);
    }

    private ValueTask<TableClient> Grants(CancellationToken cancellationToken) => tables.GetAsync(TableNames.Grants, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grant {Grant} is revoked.")]
    private static partial void LogGrantRevoked(ILogger logger, string grant);

    [LoggerMessage(Level = LogLevel.Information, Message = "The redemption of grant {Grant} failed ({Status}) with the code still unredeemed; retrying.")]
    private static partial void LogRedemptionRetried(ILogger logger, string grant, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grant {Grant} is revoked, but its purge index row could not be written ({Status}); it is purged at its expiry instead.")]
    private static partial void LogRevocationNotIndexed(ILogger logger, string grant, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "A retried redemption of grant {Grant} met its own earlier success.")]
    private static partial void LogRetriedRedemptionWon(ILogger logger, string grant);
}
