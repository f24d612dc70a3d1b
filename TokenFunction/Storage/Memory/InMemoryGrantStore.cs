using System.Globalization;
using TokenFunction.Grants;

namespace TokenFunction.Storage.Memory;

/// <summary>
/// Grants and refresh tokens in memory, with the semantics of the Table stores (the shared contract suite runs against
/// both): a code is consumed once, the first refresh token is added with it or not at all, a rotation is conditional on
/// the grant and the old token as read, a revocation sticks. Every write takes one lock, so there is no lost answer to
/// recognise; a version that moved is judged as the Table stores judge a failed conditional write. Not used by the
/// service: it is the seam's reference implementation for unit tests and experiments, and keeps nothing across restarts.
/// </summary>
public sealed class InMemoryGrantStore(TimeProvider time) : ICodeRedemptionStore, IRefreshRotationStore, IGrantRevocationStore, IAuthorizationCodeIssuer
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AuthorizationGrant> _grants = new(StringComparer.Ordinal);
    private readonly Dictionary<(string GrantId, string Key), RefreshTokenRecord> _tokens = [];
    private long _version;

    public Task<string> IssueAsync(NewAuthorizationCode request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var issued = request.ToGrant(time.GetUtcNow(), ResourceLines.Split(ResourceLines.Join(request.Resources ?? [])));
        var stem = IssuedCodes.Stem(IssuedCodes.NewSecret(), issued);
        lock (_gate)
        {
            var grant = issued with { GrantId = GrantKeys.ForCode(stem), Version = NextVersion() };
            _grants.Add(grant.GrantId, grant);
            return Task.FromResult(IssuedCodes.Complete(stem, grant.Version));
        }
    }

    public Task<AuthorizationGrant?> FindByCodeAsync(string code, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_grants.GetValueOrDefault(GrantKeys.ForCode(code)));
        }
    }

    public Task<RedeemResult> RedeemAsync(AuthorizationGrant grant, FirstRefreshToken? firstRefreshToken, CancellationToken cancellationToken) =>
        Task.FromResult(Redeem(grant, firstRefreshToken, asIssued: false));

    public Task<bool> RedeemAsIssuedAsync(AuthorizationGrant issued, FirstRefreshToken? firstRefreshToken, CancellationToken cancellationToken) =>
        Task.FromResult(Redeem(issued, firstRefreshToken, asIssued: true).Outcome == RedeemOutcome.Redeemed);

    private RedeemResult Redeem(AuthorizationGrant grant, FirstRefreshToken? firstRefreshToken, bool asIssued)
    {
        ArgumentNullException.ThrowIfNull(grant);
        RequireVersion(grant.Version, "Redeem");
        if (firstRefreshToken is not null && firstRefreshToken.Token.GrantId != grant.GrantId)
        {
            throw new ArgumentException("The refresh token must belong to the grant.", nameof(firstRefreshToken));
        }

        lock (_gate)
        {
            // A version that moved is what a Table write meets as 412: redeemed, revoked or gone settles it; anything
            // else would be written again against the new version, which is what writing now amounts to, unless the
            // caller judged the grant as issued and must judge it again.
            var current = _grants.GetValueOrDefault(grant.GrantId);
            if (current is null || current.IsRedeemed || current.IsRevoked || (asIssued && current.Version != grant.Version))
            {
                return new RedeemResult(RedeemOutcome.AlreadyRedeemed, current);
            }

            if (firstRefreshToken is not null)
            {
                _tokens.Add((grant.GrantId, firstRefreshToken.Token.Key), firstRefreshToken.Token with { Version = NextVersion() });
            }

            _grants[grant.GrantId] = current.Redeemed(Guid.NewGuid().ToString("N"), time.GetUtcNow(), firstRefreshToken) with { Version = NextVersion() };
            return new RedeemResult(RedeemOutcome.Redeemed);
        }
    }

    public Task RevokeAsync(AuthorizationGrant grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        lock (_gate)
        {
            if (!grant.IsRevoked && _grants.GetValueOrDefault(grant.GrantId) is { IsRevoked: false } current)
            {
                _grants[grant.GrantId] = current with { RevokedAt = time.GetUtcNow(), Version = NextVersion() };
            }
        }

        return Task.CompletedTask;
    }

    public Task<(AuthorizationGrant? Grant, RefreshTokenRecord? Token)> FindAsync(string grantId, string tokenKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult((_grants.GetValueOrDefault(grantId), _tokens.GetValueOrDefault((grantId, tokenKey))));
        }
    }

    /// <summary>A read costs nothing here: always <see cref="FindAsync"/>.</summary>
    public Task<(AuthorizationGrant? Grant, RefreshTokenRecord? Token)> FindForRotationAsync(string grantId, string tokenKey, CancellationToken cancellationToken) =>
        FindAsync(grantId, tokenKey, cancellationToken);

    public Task<RefreshTokenRecord?> FindTokenAsync(string grantId, string tokenKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_tokens.GetValueOrDefault((grantId, tokenKey)));
        }
    }

    public Task<RotateResult> RotateAsync(AuthorizationGrant grant, RefreshTokenRecord old, RefreshTokenRecord successor, string sealedSuccessor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(successor);
        RequireVersion(grant.Version, "Rotation");
        RequireVersion(old.Version, "Rotation");
        lock (_gate)
        {
            var currentGrant = _grants.GetValueOrDefault(old.GrantId);
            var current = _tokens.GetValueOrDefault((old.GrantId, old.Key));
            if (currentGrant is null || current is null)
            {
                return Task.FromResult(new RotateResult(RotateOutcome.Gone));
            }

            var unchanged = currentGrant.Version == grant.Version && current.Version == old.Version;
            if (!unchanged && currentGrant.IsRevoked)
            {
                return Task.FromResult(new RotateResult(RotateOutcome.Revoked, currentGrant, current));
            }

            if (!unchanged && current.IsRetired)
            {
                return Task.FromResult(new RotateResult(RotateOutcome.RetiredByAnother, currentGrant, current));
            }

            _grants[old.GrantId] = currentGrant with { RefreshExpiresAt = successor.ExpiresAt, Version = NextVersion() };
            _tokens[(old.GrantId, old.Key)] = current with
            {
                RetiredAt = time.GetUtcNow(),
                SuccessorHash = successor.Key,
                SealedSuccessor = sealedSuccessor,
                Version = NextVersion(),
            };
            _tokens.Add((successor.GrantId, successor.Key), successor with { Version = NextVersion() });
            return Task.FromResult(new RotateResult(RotateOutcome.Rotated));
        }
    }

    private ConcurrencyToken NextVersion() => new((++_version).ToString(CultureInfo.InvariantCulture));

    private static void RequireVersion(ConcurrencyToken version, string what)
    {
        if (version.IsNone)
        {
            throw new ArgumentException($"{what} needs the record's version as read: without it the update would not be conditional.");
        }
    }
}
