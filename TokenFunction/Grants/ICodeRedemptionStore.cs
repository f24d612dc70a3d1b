namespace TokenFunction.Grants;

/// <summary>
/// Code redemption: finding the grant behind a presented code and consuming the code exactly once. Of any number of
/// concurrent redeemers exactly one wins; a store whose write may be retried after a lost answer must recognise its own
/// earlier success. The store judges nothing else: who lost, and whether that is a retry or a replay, is the grant's
/// decision (<see cref="AuthorizationCodeGrantHandler"/>).
/// </summary>
public interface ICodeRedemptionStore
{
    /// <summary>The grant whose code this is; null when there is none.</summary>
    /// <exception cref="MalformedRowException">The stored record breaks the documented layout.</exception>
    Task<AuthorizationGrant?> FindByCodeAsync(string code, CancellationToken cancellationToken);

    /// <summary>
    /// Consumes the code if <paramref name="grant"/> is still as read (its <see cref="AuthorizationGrant.Version"/>) and,
    /// with <paramref name="firstRefreshToken"/>, adds the grant's first refresh token atomically with it. When another
    /// request consumed it first, or the grant was revoked or is gone, the record as it now is comes back for the caller
    /// to judge; nothing is revoked here.
    /// </summary>
    /// <exception cref="ArgumentException">The grant was not read from a store, or the token belongs to another grant.</exception>
    Task<RedeemResult> RedeemAsync(AuthorizationGrant grant, FirstRefreshToken? firstRefreshToken, CancellationToken cancellationToken);

    /// <summary>
    /// Consumes the code if its grant is still exactly as <paramref name="issued"/>, the grant the code itself carries
    /// (<see cref="IssuedCodes.TryRead"/>), by one write conditional on the version it was issued at: no read. True when
    /// this request consumed it; false when the grant is not as issued (consumed, revoked, changed or gone), and then the
    /// caller reads it and judges as for any code. Nothing is revoked here.
    /// </summary>
    /// <exception cref="ArgumentException">The grant carries no version, or the token belongs to another grant.</exception>
    Task<bool> RedeemAsIssuedAsync(AuthorizationGrant issued, FirstRefreshToken? firstRefreshToken, CancellationToken cancellationToken);
}

/// <summary>
/// The first refresh token of a grant, added with the redemption, with the grant's absolute expiry and the token sealed
/// for a retry of the exchange (<see cref="CodeRetrySeal"/>).
/// </summary>
public sealed record FirstRefreshToken(RefreshTokenRecord Token, DateTimeOffset GrantExpiresAt, string SealedForRetry);

public enum RedeemOutcome
{
    /// <summary>This request consumed the code.</summary>
    Redeemed,

    /// <summary>Another request consumed it first, or the grant was revoked or is gone.</summary>
    AlreadyRedeemed,
}

/// <summary>What a redemption ended as; <see cref="Current"/> is the grant as re-read when another request won (null if gone).</summary>
public sealed record RedeemResult(RedeemOutcome Outcome, AuthorizationGrant? Current = null);
